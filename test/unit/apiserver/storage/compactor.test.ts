import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../../../src/base/clock.js';
import { Compactor, compactionTarget } from '../../../../src/apiserver/storage/compactor.js';

test('compactionTarget: the previous tick revision, capped by maxRevisions, never backwards', () => {
  const cases: [Parameters<typeof compactionTarget>[0], number | undefined][] = [
    [{ current: 100, previousTick: undefined, compacted: 0 }, undefined], // first tick only records
    [{ current: 150, previousTick: 100, compacted: 0 }, 100],
    [{ current: 150, previousTick: 100, compacted: 100 }, undefined], // already there
    [{ current: 150, previousTick: 90, compacted: 100 }, undefined], // never backwards
    [{ current: 20_000, previousTick: 1000, compacted: 0, maxRevisions: 10_000 }, 10_000], // busy store
    [{ current: 20_000, previousTick: 15_000, compacted: 0, maxRevisions: 10_000 }, 15_000],
    [{ current: 50, previousTick: undefined, compacted: 0, maxRevisions: 10_000 }, undefined],
  ];
  for (const [input, want] of cases) assert.equal(compactionTarget(input), want, JSON.stringify(input));
});

/** A clock whose time moves only when the test says so. */
class ManualClock implements Clock {
  private time = 0;
  private sleepers: { at: number; resolve: () => void }[] = [];
  now(): number {
    return this.time;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper = { at: this.time + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      });
    });
  }
  get waiting(): number {
    return this.sleepers.length;
  }
  async advance(ms: number): Promise<void> {
    this.time += ms;
    const due = this.sleepers.filter((s) => s.at <= this.time);
    this.sleepers = this.sleepers.filter((s) => s.at > this.time);
    for (const s of due) s.resolve();
    // Let the woken loop run its tick.
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

test('the compactor compacts every interval to the revision of the tick before', async () => {
  let revision = 10;
  let compacted = 0;
  const calls: number[] = [];
  const store = {
    currentRevision: () => Promise.resolve(revision),
    compactedRevision: () => Promise.resolve(compacted),
    compact: (rev: number) => {
      calls.push(rev);
      compacted = rev;
      return Promise.resolve();
    },
  };
  const clock = new ManualClock();
  const compactor = new Compactor({ store, clock }, { intervalMs: 60_000 });
  compactor.start();
  assert.equal(clock.waiting, 1);
  await clock.advance(59_999);
  assert.deepEqual(calls, []);
  await clock.advance(1); // tick 1 at rev 10: records it
  assert.deepEqual(calls, []);
  revision = 25;
  await clock.advance(60_000); // tick 2: compacts to 10, records 25
  assert.deepEqual(calls, [10]);
  revision = 26;
  await clock.advance(60_000);
  assert.deepEqual(calls, [10, 25]);
  await clock.advance(60_000); // nothing written since: compacts to 26, keeping none older
  assert.deepEqual(calls, [10, 25, 26]);
  await compactor.dispose();
  assert.equal(clock.waiting, 0, 'dispose stops the loop');
});

test('a failing compaction is retried at the next tick', async () => {
  let fail = true;
  const calls: number[] = [];
  let revision = 5;
  const store = {
    currentRevision: () => Promise.resolve(revision),
    compactedRevision: () => Promise.resolve(0),
    compact: (rev: number) => {
      calls.push(rev);
      return fail ? Promise.reject(new Error('etcd down')) : Promise.resolve();
    },
  };
  const clock = new ManualClock();
  const compactor = new Compactor({ store, clock }, { intervalMs: 1000 });
  compactor.start();
  await clock.advance(1000);
  revision = 8;
  await clock.advance(1000);
  fail = false;
  await clock.advance(1000);
  assert.deepEqual(calls, [5, 8]);
  await compactor.dispose();
});
