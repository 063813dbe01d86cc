// Watch: a chunked stream of newline-delimited JSON events {"type","object"}, as upstream.
//  - resourceVersion "" or "0": synthetic ADDED events for the current state, then changes;
//    N: every change after N (410 Expired as an ERROR event when N is compacted away);
//  - sendInitialEvents=true (watch-list): initial events, then a BOOKMARK marked
//    k8s.io/initial-events-end when bookmarks are allowed;
//  - allowWatchBookmarks: a BOOKMARK now and then with the revision the watch has reached
//    (the last revision seen on this prefix: the Store seam has no progress notification, so a
//    later revision could not be promised safely);
//  - timeoutSeconds, or a random 30-60 min as upstream's min-request-timeout, ends the stream.
import type { ServerResponse } from 'node:http';
import { errorMessage, isNodeletError, ErrorCode } from '../../base/errors.js';
import type { JsonObject, KubeObject } from '../../api/object.js';
import { listPrefix } from '../keys.js';
import { negotiate } from '../negotiation.js';
import { listObjects } from '../registry/list.js';
import { parseRevision } from '../registry/object-store.js';
import { matchesSelection, parseSelection, predicateFor, withNameField } from '../registry/selection.js';
import { bookmarkObject, toApiWatchEvent, type ApiWatchEventType } from '../registry/watch-filter.js';
import { isTrue } from '../request-info.js';
import { apiVersionOf } from '../resources.js';
import { ApiError, badRequest, internalError, methodNotSupported, tooOldResourceVersion } from '../status.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { renderObject, type Renderer } from './output.js';
import { includeObjectOf, intParam } from './query.js';

interface WatchPlan {
  /** Send the state at the start revision as ADDED events first. */
  initialEvents: boolean;
  /** Start after this revision; undefined: the latest (read by the initial list). */
  from: number | undefined;
  bookmarks: boolean;
  /** Mark the end of the initial events with a bookmark (watch-list). */
  initialEventsEndBookmark: boolean;
}

export function planWatch(query: URLSearchParams): WatchPlan {
  const rvText = query.get('resourceVersion') ?? '';
  const rv = rvText === '' ? 0 : parseRevision(rvText);
  if (rv === undefined) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
  const bookmarks = isTrue(query.get('allowWatchBookmarks'));
  const sendInitial = query.get('sendInitialEvents');
  if (sendInitial !== null && sendInitial !== '') {
    const match = query.get('resourceVersionMatch') ?? '';
    if (match !== 'NotOlderThan') {
      throw new ApiError(422, 'Invalid', 'resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    const initial = isTrue(sendInitial);
    if (initial) return { initialEvents: true, from: undefined, bookmarks, initialEventsEndBookmark: bookmarks };
    return { initialEvents: false, from: rv === 0 ? undefined : rv, bookmarks, initialEventsEndBookmark: false };
  }
  if (rv === 0) return { initialEvents: true, from: undefined, bookmarks, initialEventsEndBookmark: false };
  return { initialEvents: false, from: rv, bookmarks, initialEventsEndBookmark: false };
}

export async function handleWatch(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  if (ctx.subresource !== undefined) throw methodNotSupported(ctx.resource, 'watch');
  const r = ctx.resource;
  const representation = negotiate(ctx.req.headers.accept, { table: true, metadata: true });
  const out: Renderer = { representation, toTable: deps.toTable, tableOptions: { includeObject: includeObjectOf(ctx.query), now: deps.clock.now() } };
  let selection = parseSelection(r, ctx.query.get('labelSelector'), ctx.query.get('fieldSelector'));
  if (ctx.info.name !== '') selection = withNameField(selection, ctx.info.name);
  const plan = planWatch(ctx.query);
  const timeoutSeconds = intParam(ctx.query, 'timeoutSeconds');
  const random = deps.random ?? Math.random;
  const timeoutMs = timeoutSeconds !== undefined && timeoutSeconds > 0
    ? timeoutSeconds * 1000
    : Math.floor(deps.watch.minRequestTimeoutMs * (1 + random()));

  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const stream = new EventStream(ctx.res, out, r, signal);
  const store = deps.registry.objects.store;
  const matches = (obj: KubeObject): boolean => matchesSelection(r, selection, obj);

  let revision: number;
  let initial: KubeObject[] = [];
  if (plan.from === undefined) {
    const predicate = predicateFor(r, selection);
    const list = await listObjects(deps.registry.objects, deps.clock, r, { namespace: ctx.info.namespace, ...(predicate ? { predicate } : {}) });
    revision = Number(list.resourceVersion);
    if (plan.initialEvents) initial = list.items;
  } else {
    revision = plan.from;
  }

  stream.start();
  void deps.clock.sleep(timeoutMs, signal).then(() => stop.abort(), () => undefined);
  try {
    const compacted = await store.compactedRevision();
    if (plan.from !== undefined && plan.from < compacted) {
      stream.error(tooOldResourceVersion(plan.from, compacted));
      return;
    }
    for (const obj of initial) await stream.send('ADDED', obj);
    if (plan.initialEventsEndBookmark) await stream.sendRaw('BOOKMARK', bookmarkObject(apiVersionOf(r), r.kind, revision, true));
    if (plan.bookmarks) void bookmarkLoop(deps, stream, signal, r.kind, apiVersionOf(r), () => revision);
    for await (const ev of store.watch(listPrefix(r, ctx.info.namespace), { afterRevision: revision, signal })) {
      revision = ev.kv.modRevision;
      const converted = toApiWatchEvent(ev, matches);
      if (converted !== undefined) await stream.send(converted.type, converted.object);
      if (signal.aborted) break;
    }
  } catch (err) {
    if (!signal.aborted) {
      if (isNodeletError(err, ErrorCode.Gone)) stream.error(tooOldResourceVersion(revision, await store.compactedRevision().catch(() => 0)));
      else {
        deps.log.warn('watch failed', { resource: r.resource, error: errorMessage(err) });
        stream.error(err instanceof ApiError ? err : internalError(err));
      }
    }
  } finally {
    stop.abort();
    stream.end();
  }
}

async function bookmarkLoop(deps: HandlerDeps, stream: EventStream, signal: AbortSignal, kind: string, apiVersion: string, revision: () => number): Promise<void> {
  try {
    for (;;) {
      await deps.clock.sleep(deps.watch.bookmarkIntervalMs, signal);
      await stream.sendRaw('BOOKMARK', bookmarkObject(apiVersion, kind, revision()));
    }
  } catch {
    // The watch ended.
  }
}

/** The response side of a watch: whole lines, flow control, and an end that happens once. */
class EventStream {
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly out: Renderer,
    private readonly r: RequestContext['resource'],
    private readonly signal: AbortSignal,
  ) {}

  start(): void {
    this.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    this.res.flushHeaders();
  }

  send(type: ApiWatchEventType, obj: KubeObject): Promise<void> {
    return this.sendRaw(type, renderObject(this.r, obj, this.out));
  }

  async sendRaw(type: ApiWatchEventType, object: JsonObject): Promise<void> {
    if (this.ended || this.res.destroyed) return;
    const ok = this.res.write(`${JSON.stringify({ type, object })}\n`);
    if (!ok) await this.drain();
  }

  error(err: ApiError): void {
    void this.sendRaw('ERROR', err.status as unknown as JsonObject);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.res.destroyed) this.res.end();
  }

  /** Waits until the client reads what is buffered (or goes away). */
  private drain(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }
}
