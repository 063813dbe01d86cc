import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DisposableStore, toDisposable } from '../../../src/base/lifecycle.js';

test('a store disposes in reverse order, once', async () => {
  const order: string[] = [];
  const store = new DisposableStore();
  store.add(toDisposable(() => void order.push('a')));
  store.add(toDisposable(async () => void order.push('b')));
  await store.dispose();
  await store.dispose();
  assert.deepEqual(order, ['b', 'a']);
});

test('a failing disposal does not stop the others, and is rethrown', async () => {
  const order: string[] = [];
  const store = new DisposableStore();
  store.add(toDisposable(() => void order.push('first')));
  store.add(
    toDisposable(() => {
      throw new Error('boom');
    }),
  );
  await assert.rejects(store.dispose(), /boom/);
  assert.deepEqual(order, ['first']);
});

test('adding to a disposed store disposes the item at once', async () => {
  const store = new DisposableStore();
  await store.dispose();
  let disposed = false;
  store.add(toDisposable(() => void (disposed = true)));
  assert.equal(disposed, true);
});
