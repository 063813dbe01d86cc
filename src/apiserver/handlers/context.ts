// What every REST handler gets: the parsed request, the resource it addresses, and the shared
// services (registry, clock, log, Table conversion, watch settings).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { JsonObject, KubeObject } from '../../api/object.js';
import type { UserInfo } from '../auth/types.js';
import type { Registry } from '../registry/registry.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { ResourceInfo, SubresourceInfo } from '../resources.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequestInfo;
  resource: ResourceInfo;
  subresource: SubresourceInfo | undefined;
  query: URLSearchParams;
  user: UserInfo;
  /** Aborts when the client goes away or the server shuts down. */
  signal: AbortSignal;
}

export interface TableOptions {
  includeObject: 'None' | 'Metadata' | 'Object';
  now: number;
}

/** Kind-aware Table rendering (src/apiserver/table): the columns kubectl get prints. */
export type TableConverter = (r: ResourceInfo, objects: KubeObject[], opts: TableOptions) => JsonObject;

export interface WatchSettings {
  /** How often a watch that asked for bookmarks gets one (upstream: about a minute). */
  bookmarkIntervalMs: number;
  /** Server-side watch timeout when the client gives none: a random duration in [min, 2*min). */
  minRequestTimeoutMs: number;
}

export interface HandlerDeps {
  registry: Registry;
  clock: Clock;
  log: Logger;
  toTable: TableConverter;
  watch: WatchSettings;
  /** For the random watch timeout (default Math.random). */
  random?: () => number;
}
