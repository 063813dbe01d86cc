// The endpoint-dnat slot allocator: slots are kept while they fit, moved when they do not, packed
// again by a full sync, and never straddle two maps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHARD_KEYS, dnatAllocator, shardCount, slotCapacity } from '../../../../src/proxy/backends/nftables/dnat-slots.js';

test('slot capacity: at least 4, else the next power of two', () => {
  assert.deepEqual([1, 4, 5, 8, 9, 1000].map(slotCapacity), [4, 4, 8, 8, 16, 1024]);
});

test('slots stay while they fit, move when they grow, and never straddle two maps', () => {
  const full = dnatAllocator(undefined);
  assert.deepEqual(full.slot('a', 3), { shard: 0, base: 0, capacity: 4 });
  assert.deepEqual(full.slot('b', 5), { shard: 0, base: 4, capacity: 8 });
  const first = full.result();
  assert.equal(shardCount(first), 1);

  const partial = dnatAllocator(first);
  assert.deepEqual(partial.slot('a', 4), { shard: 0, base: 0, capacity: 4 });
  assert.equal(partial.result().slots, first.slots, 'unchanged slots are not copied');
  assert.deepEqual(partial.slot('a', 5), { shard: 0, base: 12, capacity: 8 });
  assert.deepEqual(first.slots.get('a'), { shard: 0, base: 0, capacity: 4 }, 'the previous state is not modified');
  partial.release('b');
  assert.equal(partial.result().slots.has('b'), false);

  // A slot that does not fit in what is left of a map starts the next one; a huge one gets its own.
  const big = dnatAllocator(undefined);
  big.slot('x', SHARD_KEYS - 8);
  assert.deepEqual(big.slot('y', 16), { shard: 1, base: 0, capacity: 16 });
  assert.deepEqual(big.slot('z', SHARD_KEYS * 2), { shard: 2, base: 0, capacity: SHARD_KEYS * 2 });
  assert.equal(shardCount(big.result()), 3);
});
