// List-then-watch, as client-go's Reflector and the JavaScript client's informer cache do it:
//
//   list (pages of 500) ── replace(items, rv) ──> watch from rv (bookmarks on, 5-10 min timeout)
//        ^                                          │ each event: event(ev), rv = its version
//        │                                          │ BOOKMARK: rv = its version (not passed on)
//        └── Gone (410): relist at once ────────────┤ clean end: watch again from rv
//                                                   └ other failure: error(err), back off, watch again from rv
//
// A failed list is retried (after the back-off) as a list. The back-off starts at 1 s and doubles
// to 30 s; it resets once a watch delivers events. A handler that throws is reported through
// error() and forces a relist, so the handler's state is rebuilt from a fresh replace().
import type { Clock } from '../../base/clock.js';
import { backoffDelay } from '../../base/backoff.js';
import { ErrorCode, NodeletError, errorMessage, isNodeletError } from '../../base/errors.js';
import type { KubeObject } from '../object.js';
import type { KubeClient, WatchEvent } from './types.js';

export interface ReflectorDeps {
  client: KubeClient;
  clock: Clock;
  /** [0, 1) for the watch timeout's spread; Math.random when unset. */
  random?: () => number;
}

export interface ReflectorHandlers {
  /** The complete current state, after every (re)list. */
  replace(items: KubeObject[], resourceVersion: string): void;
  /** ADDED, MODIFIED or DELETED after the last replace(); bookmarks are consumed here. */
  event(ev: WatchEvent): void;
  /** A failed list or watch, or a handler that threw (for logs); the reflector retries itself. */
  error?(err: unknown): void;
}

export interface ReflectorOptions {
  /** Collection path, e.g. /api/v1/pods. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  handlers: ReflectorHandlers;
  signal: AbortSignal;
}

export const LIST_PAGE_SIZE = 500;
export const BACKOFF = { initialMs: 1_000, maxMs: 30_000 } as const;
/** client-go's minWatchTimeout: each watch asks for a random timeout in [5 min, 10 min). */
const MIN_WATCH_TIMEOUT_SECONDS = 300;

/** Runs until `signal` aborts, then resolves; it never rejects. */
export async function runReflector(deps: ReflectorDeps, opts: ReflectorOptions): Promise<void> {
  const { client, clock } = deps;
  const random = deps.random ?? Math.random;
  const { handlers, signal } = opts;
  const selectors = {
    ...(opts.labelSelector ? { labelSelector: opts.labelSelector } : {}),
    ...(opts.fieldSelector ? { fieldSelector: opts.fieldSelector } : {}),
  };
  /** Where the next watch starts; undefined: list first. */
  let resourceVersion: string | undefined;
  let failures = 0;

  while (!signal.aborted) {
    let delivered = false;
    try {
      if (resourceVersion === undefined) {
        const listed = await listAll(client, opts.path, selectors, signal);
        callHandler(() => handlers.replace(listed.items, listed.resourceVersion));
        resourceVersion = listed.resourceVersion;
      }
      const timeoutSeconds = MIN_WATCH_TIMEOUT_SECONDS + Math.floor(random() * MIN_WATCH_TIMEOUT_SECONDS);
      const events = client.watch(opts.path, { ...selectors, resourceVersion, allowWatchBookmarks: true, timeoutSeconds, signal });
      for await (const ev of events) {
        delivered = true;
        if (ev.type !== 'BOOKMARK') callHandler(() => handlers.event(ev));
        const rv = ev.object.metadata.resourceVersion;
        if (rv !== undefined && rv !== '') resourceVersion = rv;
      }
      // The server ended the watch (its timeout): resume at once, unless it ended without a word,
      // which a server that closes every watch immediately would turn into a busy loop.
      if (delivered) failures = 0;
      else await clock.sleep(backoffDelay(failures++, BACKOFF), signal);
    } catch (err) {
      if (signal.aborted) break;
      if (delivered) failures = 0;
      if (err instanceof HandlerError) {
        handlers.error?.(err.cause);
        resourceVersion = undefined;
      } else {
        handlers.error?.(err);
        // An expired version cannot be watched from: relist now (a list never answers Gone for
        // the latest version, except for an expired continue token, which a new list fixes too).
        if (isNodeletError(err, ErrorCode.Gone)) {
          resourceVersion = undefined;
          continue;
        }
      }
      try {
        await clock.sleep(backoffDelay(failures++, BACKOFF), signal);
      } catch {
        break;
      }
    }
  }
}

/** All pages of a list; the version is the last page's (all pages share one snapshot). */
async function listAll(
  client: KubeClient,
  path: string,
  selectors: { labelSelector?: string; fieldSelector?: string },
  signal: AbortSignal,
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const items: KubeObject[] = [];
  let cont: string | undefined;
  for (;;) {
    const page = await client.list(path, { ...selectors, limit: LIST_PAGE_SIZE, ...(cont === undefined ? {} : { continue: cont }), signal });
    items.push(...page.items);
    cont = page.metadata.continue;
    if (cont === undefined || cont === '') {
      const rv = page.metadata.resourceVersion;
      if (rv === '') throw new NodeletError(ErrorCode.Internal, `list ${path}: the reply has no resourceVersion to watch from`);
      return { items, resourceVersion: rv };
    }
  }
}

/** Marks a handler's exception so that it is told apart from a list/watch failure. */
class HandlerError extends Error {
  constructor(cause: unknown) {
    super(`a reflector handler failed: ${errorMessage(cause)}`, { cause });
  }
}

function callHandler(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    throw new HandlerError(err);
  }
}
