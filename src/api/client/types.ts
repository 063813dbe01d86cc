// The seam between nodelet's daemons (agent, proxy) and a Kubernetes apiserver: a small typed REST
// client over HTTPS with the kubeconfig's credentials. Implemented by rest-client.ts against any
// kube-apiserver (nodelet's own or upstream); unit tests fake it.
//
// Common to every method:
// - `path` is the API path without query (`/api/v1/namespaces/default/pods/web`).
// - Failures are NodeletErrors with stable codes mapped from the HTTP status (http-errors.ts):
//   NotFound (404), AlreadyExists (409 with reason AlreadyExists), Conflict (other 409s),
//   InvalidArgument (400, 422), Gone (410), PermissionDenied (403, and 401 with "Unauthorized"
//   in the message), Unavailable (connection refused/reset, 429, 5xx), DeadlineExceeded (the
//   call's timeout), Cancelled (the signal fired). The error is a KubeApiError carrying the
//   HTTP status, the Status reason and details when the server replied.
//   The apiserver's Status message is the error message.
// - Objects come back as `unknown`-validated JSON objects (KubeObject); callers narrow further.
import type { KubeObject } from '../object.js';

export interface RequestOptions {
  signal?: AbortSignal;
  /** Per-call deadline; the client's default (30 s) when unset. */
  timeoutMs?: number;
}

export interface ListOptions extends RequestOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  limit?: number;
  continue?: string;
}

export interface ObjectList {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion: string; continue?: string };
  items: KubeObject[];
}

export type PatchType = 'merge' | 'strategic' | 'json';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
}

export interface WatchOptions extends RequestOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Start after this version (events newer than it). */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
}

export interface KubeClient {
  /** The server URL from the kubeconfig. */
  readonly server: string;
  get(path: string, opts?: RequestOptions): Promise<KubeObject>;
  list(path: string, opts?: ListOptions): Promise<ObjectList>;
  create(path: string, body: KubeObject, opts?: RequestOptions): Promise<KubeObject>;
  /** PUT; the body's resourceVersion gives optimistic concurrency (Conflict when stale). */
  update(path: string, body: KubeObject, opts?: RequestOptions): Promise<KubeObject>;
  patch(path: string, type: PatchType, patch: unknown, opts?: RequestOptions): Promise<KubeObject>;
  /** DELETE with optional DeleteOptions fields (gracePeriodSeconds, preconditions). Resolves with the server's reply body. */
  delete(path: string, options?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } }, opts?: RequestOptions): Promise<unknown>;
  /**
   * Opens a watch. Iterates events until the server ends the stream (iteration ends), the signal
   * aborts (throws Cancelled) or the connection fails (throws Unavailable). An ERROR event with a
   * 410 Status throws Gone: the caller relists.
   * `timeoutMs` (default: the client's) bounds only the wait for the reply's headers; the stream
   * itself lasts until the server ends it (`timeoutSeconds`). Leaving the loop early closes it.
   */
  watch(path: string, opts?: WatchOptions): AsyncIterable<WatchEvent>;
  /** Closes keep-alive connections. */
  close(): void;
}
