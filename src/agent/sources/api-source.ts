// The apiserver pod source (upstream pkg/kubelet/config/apiserver.go): a reflector on
// /api/v1/pods with fieldSelector spec.nodeName=<node>, i.e. the pods bound to this node. It keeps
// the current set and pushes full snapshots (level-triggered) after the list and after each event.
// Every object is validated with parsePod; one that does not parse is reported through onError and
// left out of the set (an earlier good version of it too: the set is what the apiserver says now).
// Mirror pods (annotation kubernetes.io/config.mirror) are the apiserver's copies of this node's
// static pods, not pods to run: they go to onMirrorPods, for the mirror manager.
import { runReflector } from '../../api/client/reflector.js';
import type { KubeClient, WatchEvent } from '../../api/client/types.js';
import type { KubeObject } from '../../api/object.js';
import { parsePod } from '../../api/pod-parse.js';
import type { Pod } from '../../api/pod-types.js';
import type { Clock } from '../../base/clock.js';
import { errorMessage, isNodeletError } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import { SourceAnnotation } from '../labels.js';

/** The signature of runReflector (src/api/client/reflector.ts); injectable so tests can drive it. */
export type RunReflector = (
  deps: { client: KubeClient; clock: Clock },
  opts: {
    path: string;
    labelSelector?: string;
    fieldSelector?: string;
    handlers: {
      replace(items: KubeObject[], resourceVersion: string): void;
      event(ev: WatchEvent): void;
      error?(err: unknown): void;
    };
    signal: AbortSignal;
  },
) => Promise<void>;

export interface ApiSourceDeps {
  client: KubeClient;
  clock: Clock;
  log: Logger;
  /** runReflector unless a test injects a fake. */
  runReflector?: RunReflector;
}

export interface ApiSourceOptions {
  nodeName: string;
  /** The pods bound to this node (no mirror pods), after every list and event. */
  onSnapshot(pods: Pod[]): void;
  /** The mirror pods bound to this node, after every list and event. */
  onMirrorPods?(pods: Pod[]): void;
  /** An object that is not a valid Pod (the error names the field); it is skipped. */
  onError?(key: string, err: unknown): void;
}

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata.annotations?.[SourceAnnotation.mirror] !== undefined;
}

/** namespace/name of a raw object, for messages about objects that did not parse. */
function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export class ApiSource implements Disposable {
  private readonly controller = new AbortController();
  /** Parsed pods by namespace/name (uid changes when a pod is recreated under the same name). */
  private readonly pods = new Map<string, Pod>();
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: ApiSourceDeps,
    private readonly opts: ApiSourceOptions,
  ) {}

  /** Starts the reflector. Idempotent; the first snapshot follows the first successful list. */
  start(): void {
    const reflect = this.deps.runReflector ?? runReflector;
    this.running ??= reflect(
      { client: this.deps.client, clock: this.deps.clock },
      {
        path: '/api/v1/pods',
        fieldSelector: `spec.nodeName=${this.opts.nodeName}`,
        handlers: {
          replace: (items) => this.replace(items),
          event: (ev) => this.event(ev),
          error: (err) => this.deps.log.warn('pod watch failed; retrying', { error: errorMessage(err) }),
        },
        signal: this.controller.signal,
      },
    ).catch((err: unknown) => {
      // runReflector does not reject; this guards an injected one.
      if (!isNodeletError(err, 'Cancelled')) this.deps.log.error('pod reflector stopped', { error: errorMessage(err) });
    });
  }

  async dispose(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private parse(obj: KubeObject): Pod | undefined {
    try {
      return parsePod(obj);
    } catch (err) {
      const key = keyOf(obj);
      this.deps.log.error('invalid pod from the apiserver; not run', { pod: key, error: errorMessage(err) });
      this.opts.onError?.(key, err);
      return undefined;
    }
  }

  private replace(items: KubeObject[]): void {
    this.pods.clear();
    for (const obj of items) {
      const pod = this.parse(obj);
      if (pod !== undefined) this.pods.set(keyOf(obj), pod);
    }
    this.push();
  }

  private event(ev: WatchEvent): void {
    if (ev.type === 'BOOKMARK') return;
    const key = keyOf(ev.object);
    if (ev.type === 'DELETED') {
      this.pods.delete(key);
    } else {
      const pod = this.parse(ev.object);
      if (pod === undefined) this.pods.delete(key);
      else this.pods.set(key, pod);
    }
    this.push();
  }

  private push(): void {
    const desired: Pod[] = [];
    const mirrors: Pod[] = [];
    for (const pod of this.pods.values()) (isMirrorPod(pod) ? mirrors : desired).push(pod);
    this.opts.onSnapshot(desired);
    this.opts.onMirrorPods?.(mirrors);
  }
}
