// Allocations that must never be handed out twice (Service IPs, node ports), persisted as one
// Store key per allocated value: creating the key is the claim, so two requests (or two apiservers
// on one etcd) racing for a value cannot both win, and claims survive restarts. The in-memory set
// only spares the Store the values known to be taken.
import { isNodeletError, ErrorCode } from '../../base/errors.js';
import type { Store } from '../storage/store.js';

export interface Claim {
  value: string;
  /** "namespace/name" of the Service holding it. */
  owner: string;
  /** When it was claimed (ms since the epoch). */
  at: number;
  revision: number;
}

export class ClaimSet {
  private readonly taken = new Set<string>();

  constructor(private readonly deps: { store: Store; prefix: string; now: () => number }) {}

  /** Reads every claim (at startup, and when the space looks full). */
  async load(): Promise<Claim[]> {
    const out: Claim[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.deps.store.list(this.deps.prefix, { limit: 1000, ...(startAfter !== undefined ? { startAfter } : {}) });
      for (const kv of page.items) {
        const value = kv.key.slice(this.deps.prefix.length);
        out.push({ value, ...parseClaim(kv.value), revision: kv.modRevision });
      }
      const last = page.items[page.items.length - 1];
      if (!page.more || last === undefined) break;
      startAfter = last.key;
    }
    this.taken.clear();
    for (const c of out) this.taken.add(c.value);
    return out;
  }

  /** True when this call took the value; false when someone holds it. */
  async claim(value: string, owner: string): Promise<boolean> {
    try {
      await this.deps.store.create(this.deps.prefix + value, JSON.stringify({ owner, at: this.deps.now() }));
      this.taken.add(value);
      return true;
    } catch (err) {
      if (isNodeletError(err, ErrorCode.AlreadyExists)) {
        this.taken.add(value);
        return false;
      }
      throw err;
    }
  }

  async isFree(value: string): Promise<boolean> {
    return (await this.deps.store.get(this.deps.prefix + value)) === undefined;
  }

  /** Known to be taken, without asking the Store (may be stale: a hint for searching). */
  probablyTaken(value: string): boolean {
    return this.taken.has(value);
  }

  /** Idempotent. With `owner`, only that owner's claim goes (a repair must not drop a new owner's). */
  async release(value: string, owner?: string): Promise<void> {
    const key = this.deps.prefix + value;
    try {
      if (owner !== undefined) {
        const kv = await this.deps.store.get(key);
        if (kv === undefined) return;
        if (parseClaim(kv.value).owner !== owner) return;
        await this.deps.store.delete(key, kv.modRevision);
      } else {
        await this.deps.store.delete(key);
      }
    } catch (err) {
      if (!isNodeletError(err, ErrorCode.NotFound) && !isNodeletError(err, ErrorCode.Conflict)) throw err;
    }
    this.taken.delete(value);
  }
}

function parseClaim(text: string): { owner: string; at: number } {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null) {
      const { owner, at } = v as { owner?: unknown; at?: unknown };
      return { owner: typeof owner === 'string' ? owner : '', at: typeof at === 'number' ? at : 0 };
    }
  } catch {
    // A foreign value: treated as an unowned claim.
  }
  return { owner: '', at: 0 };
}
