import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedBackoff } from '../../../src/agent/keyed-backoff.js';
import type { Clock } from '../../../src/base/clock.js';

function fakeClock(start = 1_000_000): Clock & { t: number } {
  const c = { t: start, now: () => c.t, sleep: () => Promise.resolve() };
  return c;
}

test('CrashLoopBackOff: the first crash restarts at once, then 10 s doubling to the 5 min cap', () => {
  const clock = fakeClock();
  const b = new KeyedBackoff(clock, 10_000, 300_000);
  const delays: number[] = [];
  for (let i = 0; i < 7; i++) {
    const finished = clock.t;
    assert.equal(b.inBackoffSince('k', finished), i > 0, `crash ${i}`);
    if (i > 0) {
      clock.t += b.remainingMs('k', finished);
      assert.equal(b.inBackoffSince('k', finished), false);
    }
    b.next('k', finished);
    delays.push(b.delayMs('k'));
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('an entry resets when the next failure comes more than 2 x max (10 min) after the last', () => {
  const clock = fakeClock();
  const b = new KeyedBackoff(clock, 10_000, 300_000);
  b.next('k', clock.t);
  b.next('k', clock.t);
  assert.equal(b.delayMs('k'), 20_000);
  clock.t += 600_001;
  assert.equal(b.inBackoffSince('k', clock.t), false);
  b.next('k', clock.t);
  assert.equal(b.delayMs('k'), 10_000);
});

test('image pull back-off counts from the last failure; keys reset by prefix', () => {
  const clock = fakeClock();
  const b = new KeyedBackoff(clock, 10_000, 300_000);
  b.next('uid/img', clock.t);
  assert.equal(b.inBackoffSinceUpdate('uid/img'), true);
  clock.t += 9_999;
  assert.equal(b.remainingSinceUpdateMs('uid/img'), 1);
  clock.t += 1;
  assert.equal(b.inBackoffSinceUpdate('uid/img'), false);
  b.resetPrefix('uid/');
  assert.equal(b.delayMs('uid/img'), 0);
});
