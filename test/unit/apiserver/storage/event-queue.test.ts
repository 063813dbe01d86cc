import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { EventQueue } from '../../../../src/apiserver/storage/event-queue.js';
import { WatchHub } from '../../../../src/apiserver/storage/watch-hub.js';
import type { WatchEvent } from '../../../../src/apiserver/storage/store.js';

test('the queue hands items over in order, waits when empty, and drains before its end', async () => {
  const q = new EventQueue<number>(10, () => new Error('overflow'));
  const first = q.next();
  q.push(1);
  q.push(2);
  assert.equal(await first, 1);
  q.end();
  assert.equal(q.push(3), false, 'nothing is added after the end');
  assert.equal(await q.next(), 2);
  assert.equal(await q.next(), undefined);
});

test('an overflowing queue fails at once and drops what it held', async () => {
  const q = new EventQueue<number>(2, () => new Error('too slow'));
  q.push(1);
  q.push(2);
  assert.equal(q.push(3), false);
  await assert.rejects(q.next(), /too slow/);
  assert.equal(q.size, 0);
});

test('a long-lived queue does not keep consumed items', async () => {
  const q = new EventQueue<number>(100_000, () => new Error('overflow'));
  for (let i = 0; i < 5000; i++) q.push(i);
  for (let i = 0; i < 5000; i++) assert.equal(await q.next(), i);
  assert.equal(q.size, 0);
});

const ev = (key: string, rev: number): WatchEvent => ({ type: 'PUT', kv: { key, value: '', createRevision: rev, modRevision: rev } });

test('the hub delivers by prefix and ends a watcher that falls behind without touching the others', async () => {
  const hub = new WatchHub(3);
  const pods = hub.subscribe('/registry/pods/');
  const all = hub.subscribe('/registry/');
  hub.publish([ev('/registry/pods/a', 1), ev('/registry/nodes/n', 2), ev('/registry/pods/b', 3)]);
  assert.equal((await pods.queue.next())?.kv.modRevision, 1);
  assert.equal((await pods.queue.next())?.kv.modRevision, 3);
  // `all` has 3 undelivered events; one more is too many.
  hub.publish([ev('/registry/pods/c', 4)]);
  await assert.rejects(all.queue.next(), (err: unknown) => isNodeletError(err, ErrorCode.ResourceExhausted));
  assert.equal(hub.size, 1, 'the slow watcher is gone from the hub');
  assert.equal((await pods.queue.next())?.kv.modRevision, 4);
  pods.close();
  assert.equal(hub.size, 0);
  assert.equal(await pods.queue.next(), undefined);
});
