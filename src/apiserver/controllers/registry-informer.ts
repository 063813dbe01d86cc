// The in-process controllers' view of the registry: a list of every object under /registry/, then
// a watch from that revision, relisting when history is compacted (410) and backing off on errors,
// as a client-go informer does, but straight on the Store. Handlers only record what changed.
import type { Clock } from '../../base/clock.js';
import { backoffDelay } from '../../base/backoff.js';
import { errorMessage, isNodeletError, ErrorCode } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import type { KubeObject } from '../../api/object.js';
import { parseKey, REGISTRY_PREFIX, type ParsedKey } from '../keys.js';
import { decodeObject } from '../registry/object-store.js';
import type { Store } from '../storage/store.js';

export interface InformerHandler {
  /** The full state after a (re)list: replaces whatever was known. */
  replace(objects: Array<{ key: ParsedKey; object: KubeObject }>): void;
  /** An object was created or changed. */
  upsert(key: ParsedKey, object: KubeObject): void;
  /** An object left the store (`last` is its final state). */
  remove(key: ParsedKey, last: KubeObject): void;
}

const LIST_PAGE = 500;

export class RegistryInformer implements Disposable {
  private readonly stop = new AbortController();
  private done: Promise<void> | undefined;

  constructor(
    private readonly deps: { store: Store; clock: Clock; log: Logger; name: string },
    private readonly handler: InformerHandler,
  ) {}

  start(): void {
    this.done ??= this.run();
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    await this.done;
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    for (let failures = 0; !signal.aborted; ) {
      try {
        const revision = await this.relist();
        failures = 0;
        for await (const ev of this.deps.store.watch(REGISTRY_PREFIX, { afterRevision: revision, signal })) {
          const key = parseKey(ev.kv.key);
          if (key === undefined) continue;
          const object = decodeObject(ev.kv);
          if (ev.type === 'DELETE') this.handler.remove(key, object);
          else this.handler.upsert(key, object);
        }
      } catch (err) {
        if (signal.aborted) break;
        if (!isNodeletError(err, ErrorCode.Gone)) {
          this.deps.log.warn(`${this.deps.name}: watching the registry failed`, { error: errorMessage(err) });
          await this.deps.clock.sleep(backoffDelay(failures++, { initialMs: 1000, maxMs: 30_000 }), signal).catch(() => undefined);
        }
      }
    }
  }

  private async relist(): Promise<number> {
    const all: Array<{ key: ParsedKey; object: KubeObject }> = [];
    let revision: number | undefined;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.deps.store.list(REGISTRY_PREFIX, {
        limit: LIST_PAGE,
        signal: this.stop.signal,
        ...(revision !== undefined ? { revision } : {}),
        ...(startAfter !== undefined ? { startAfter } : {}),
      });
      revision = page.revision;
      for (const kv of page.items) {
        const key = parseKey(kv.key);
        if (key !== undefined) all.push({ key, object: decodeObject(kv) });
      }
      const last = page.items[page.items.length - 1];
      if (!page.more || last === undefined) break;
      startAfter = last.key;
    }
    this.handler.replace(all);
    return revision;
  }
}
