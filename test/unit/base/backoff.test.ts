import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../src/base/backoff.js';

test('backoff doubles from the initial delay and stops at the cap (CrashLoopBackOff shape)', () => {
  const opts = { initialMs: 10_000, maxMs: 300_000 };
  const delays = [0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, opts));
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
});

test('backoff honours a custom factor and treats negative attempts as the first', () => {
  assert.equal(backoffDelay(2, { initialMs: 1000, maxMs: 30_000, factor: 3 }), 9000);
  assert.equal(backoffDelay(-4, { initialMs: 1000, maxMs: 30_000 }), 1000);
});
