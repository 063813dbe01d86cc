// Keys of the endpoint-dnat maps: each policy chain of a service without affinity owns a slot of
// consecutive keys in one map (`numgen random mod n offset base map @endpoint-dnat-S`). A slot is
// kept while the endpoint count fits, so an endpoint change rewrites map elements only; a full sync
// packs the slots again. The maps are sharded because the kernel checks every element of a map
// against every rule bound to it (when either is added): one map for 10,000 services took 12 s.

/** Keys per map (a slot larger than this gets a map of its own). */
export const SHARD_KEYS = 1024;

export interface DnatSlot {
  shard: number;
  base: number;
  capacity: number;
}

export interface DnatSlots {
  /** By chain name. */
  slots: ReadonlyMap<string, DnatSlot>;
  /** Where the next slot goes. */
  shard: number;
  key: number;
}

export interface DnatAllocator {
  slot(chain: string, count: number): DnatSlot;
  release(chain: string): void;
  result(): DnatSlots;
}

/** Room for growth: a slot holds at least 4 endpoints, else the next power of two. */
export function slotCapacity(count: number): number {
  let c = 4;
  while (c < count) c *= 2;
  return c;
}

/** Number of maps the slots use (shards 0..n-1). */
export function shardCount(d: DnatSlots): number {
  return d.key === 0 ? d.shard : d.shard + 1;
}

/** From `previous` (partial sync; copied only when a slot changes) or empty (full sync). */
export function dnatAllocator(previous: DnatSlots | undefined): DnatAllocator {
  let mutable: Map<string, DnatSlot> | undefined = previous === undefined ? new Map() : undefined;
  let slots: ReadonlyMap<string, DnatSlot> = mutable ?? previous?.slots ?? new Map();
  let shard = previous?.shard ?? 0;
  let key = previous?.key ?? 0;
  const own = (): Map<string, DnatSlot> => {
    if (mutable === undefined) {
      mutable = new Map(slots);
      slots = mutable;
    }
    return mutable;
  };
  return {
    slot(chain, count) {
      const slot = slots.get(chain);
      if (slot !== undefined && slot.capacity >= count) return slot;
      const capacity = slotCapacity(count);
      if (key > 0 && key + capacity > SHARD_KEYS) {
        shard++;
        key = 0;
      }
      const fresh = { shard, base: key, capacity };
      key += capacity;
      if (key >= SHARD_KEYS) {
        shard++;
        key = 0;
      }
      own().set(chain, fresh);
      return fresh;
    },
    release(chain) {
      if (slots.has(chain)) own().delete(chain);
    },
    result: () => ({ slots, shard, key }),
  };
}
