import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Informer } from '../../../../src/api/client/informer.js';
import { SharedReflectors } from '../../../../src/api/client/shared-reflectors.js';
import type { KubeClient, ListOptions, ObjectList, WatchEvent, WatchOptions } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';
import { UnusedKubeClient } from './unused-client.js';

function pod(name: string, rv: string, phase = 'Pending'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name, resourceVersion: rv }, status: { phase } };
}

/** A watch the test feeds; it ends when its signal aborts. */
class LiveWatch {
  private readonly buffered: WatchEvent[] = [];
  private wake: (() => void) | undefined;
  ended = false;

  constructor(readonly opts: WatchOptions) {
    opts.signal?.addEventListener('abort', () => {
      this.ended = true;
      this.wake?.();
    }, { once: true });
  }

  push(ev: WatchEvent): void {
    this.buffered.push(ev);
    this.wake?.();
  }

  async *events(): AsyncGenerator<WatchEvent> {
    for (;;) {
      const ev = this.buffered.shift();
      if (ev !== undefined) {
        yield ev;
        continue;
      }
      if (this.ended) throw new NodeletError(ErrorCode.Cancelled, 'cancelled');
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

class FakeClient extends UnusedKubeClient {
  readonly lists: string[] = [];
  readonly watches: LiveWatch[] = [];

  constructor(private readonly state: () => KubeObject[], private readonly rv = '10') {
    super();
  }

  /** Lists that fail (Unavailable) before one succeeds, as while the apiserver restarts. */
  failLists = 0;

  override async list(path: string, opts: ListOptions = {}): Promise<ObjectList> {
    this.lists.push(`${path}?${opts.labelSelector ?? ''}`);
    if (this.failLists > 0) {
      this.failLists--;
      throw new NodeletError(ErrorCode.Unavailable, 'connection refused');
    }
    return { apiVersion: 'v1', kind: 'PodList', metadata: { resourceVersion: this.rv }, items: this.state() };
  }

  override watch(_path: string, opts: WatchOptions = {}): AsyncIterable<WatchEvent> {
    const w = new LiveWatch(opts);
    this.watches.push(w);
    return w.events();
  }
}

const clock: Clock = {
  now: () => 0,
  sleep: (_ms, signal) => (signal?.aborted ? Promise.reject(signal.reason) : new Promise((resolve) => setTimeout(resolve, 1))),
};

const phaseOf = (obj: KubeObject): string => String((obj.status as { phase?: unknown } | undefined)?.phase ?? '');

/** Lets the fake watch deliver what was pushed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

function informer(client: KubeClient, reflectors: SharedReflectors, labelSelector?: string): Informer<string> {
  return new Informer({ client, clock, reflectors }, { path: '/api/v1/pods', ...(labelSelector ? { labelSelector } : {}), parse: phaseOf });
}

test('informers on one collection share one list and one watch, and each sees every change', async () => {
  const client = new FakeClient(() => [pod('a', '5')]);
  const reflectors = new SharedReflectors({ client, clock });
  const first = informer(client, reflectors);
  const second = informer(client, reflectors);
  const seen: string[] = [];
  second.addHandlers({ upsert: (key, phase) => seen.push(`${key}=${phase}`), deleted: (key) => seen.push(`-${key}`) });
  first.start();
  second.start();
  await Promise.all([first.waitForSync(), second.waitForSync()]);
  await settle();
  assert.equal(client.lists.length, 1);
  assert.equal(client.watches.length, 1);
  assert.equal(client.watches[0]?.opts.resourceVersion, '10');

  client.watches[0]?.push({ type: 'MODIFIED', object: pod('a', '11', 'Running') });
  client.watches[0]?.push({ type: 'ADDED', object: pod('b', '12') });
  client.watches[0]?.push({ type: 'DELETED', object: pod('a', '13', 'Running') });
  await settle();
  for (const inf of [first, second]) assert.deepEqual(Object.fromEntries(inf.keys().map((k) => [k, inf.get(k)])), { 'default/b': 'Pending' });
  assert.deepEqual(seen, ['default/a=Pending', 'default/a=Running', 'default/b=Pending', '-default/a']);

  await Promise.all([first.dispose(), second.dispose()]);
  assert.equal(client.watches[0]?.ended, true);
  assert.equal(reflectors.size, 0);
});

test('an informer that starts late gets the state so far without a new list', async () => {
  const client = new FakeClient(() => [pod('a', '5')]);
  const reflectors = new SharedReflectors({ client, clock });
  const early = informer(client, reflectors);
  early.start();
  await early.waitForSync();
  await settle();
  client.watches[0]?.push({ type: 'MODIFIED', object: pod('a', '11', 'Running') });
  client.watches[0]?.push({ type: 'ADDED', object: pod('b', '12') });
  await settle();

  const late = informer(client, reflectors);
  late.start();
  await late.waitForSync();
  assert.deepEqual(late.keys().sort(), ['default/a', 'default/b']);
  assert.equal(late.get('default/a'), 'Running');
  client.watches[0]?.push({ type: 'MODIFIED', object: pod('b', '13', 'Running') });
  await settle();
  assert.equal(late.get('default/b'), 'Running');
  assert.equal(early.get('default/b'), 'Running');
  assert.equal(client.lists.length, 1);
  assert.equal(client.watches.length, 1);
  await Promise.all([early.dispose(), late.dispose()]);
});

test('a handler that throws costs only its own informer a rebuild from the shared cache', async () => {
  const client = new FakeClient(() => [pod('a', '5')]);
  const reflectors = new SharedReflectors({ client, clock });
  const errors: unknown[] = [];
  const faulty = new Informer({ client, clock, reflectors }, { path: '/api/v1/pods', parse: phaseOf, onError: (err) => errors.push(err) });
  const healthy = informer(client, reflectors);
  let throwOnce = true;
  faulty.addHandlers({
    upsert: (key) => {
      if (key === 'default/b' && throwOnce) {
        throwOnce = false;
        throw new Error('handler bug');
      }
    },
  });
  const healthySeen: string[] = [];
  healthy.addHandlers({ upsert: (key, phase) => healthySeen.push(`${key}=${phase}`) });
  faulty.start();
  healthy.start();
  await Promise.all([faulty.waitForSync(), healthy.waitForSync()]);
  await settle();

  client.watches[0]?.push({ type: 'ADDED', object: pod('b', '11') });
  await settle();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /handler bug/);
  // The rebuild gave the faulty informer the pod its handler choked on.
  assert.equal(faulty.get('default/b'), 'Pending');
  assert.deepEqual(healthySeen, ['default/a=Pending', 'default/b=Pending']);
  assert.equal(client.lists.length, 1);
  await Promise.all([faulty.dispose(), healthy.dispose()]);
});

test('different selectors are different list+watches; the last informer out stops its watch', async () => {
  const client = new FakeClient(() => []);
  const reflectors = new SharedReflectors({ client, clock });
  const all = informer(client, reflectors);
  const web = informer(client, reflectors, 'app=web');
  const web2 = informer(client, reflectors, 'app=web');
  for (const inf of [all, web, web2]) inf.start();
  await Promise.all([all.waitForSync(), web.waitForSync(), web2.waitForSync()]);
  await settle();
  assert.deepEqual(client.lists.sort(), ['/api/v1/pods?', '/api/v1/pods?app=web']);
  assert.equal(reflectors.size, 2);

  await web.dispose();
  assert.equal(client.watches.filter((w) => w.ended).length, 0);
  await web2.dispose();
  assert.equal(client.watches.filter((w) => w.ended).length, 1);
  assert.equal(reflectors.size, 1);

  // Starting again after everyone left is a fresh list+watch.
  const again = informer(client, reflectors, 'app=web');
  again.start();
  await again.waitForSync();
  assert.equal(client.lists.length, 3);
  await Promise.all([all.dispose(), again.dispose()]);
  assert.equal(reflectors.size, 0);
  assert.equal(client.watches.every((w) => w.ended), true);
});

test('a failed list is reported to every informer on it, and the retry syncs them all', async () => {
  const client = new FakeClient(() => [pod('a', '5')]);
  client.failLists = 1;
  const reflectors = new SharedReflectors({ client, clock });
  const errors: string[] = [];
  const informers = ['one', 'two'].map((name) => new Informer({ client, clock, reflectors }, { path: '/api/v1/pods', parse: phaseOf, onError: (err) => errors.push(`${name}: ${String(err)}`) }));
  for (const inf of informers) inf.start();
  await Promise.all(informers.map((inf) => inf.waitForSync()));
  assert.deepEqual(errors.map((e) => e.replace(/:.*connection refused.*/, ': refused')), ['one: refused', 'two: refused']);
  for (const inf of informers) assert.equal(inf.get('default/a'), 'Pending');
  assert.equal(client.lists.length, 2);
  await Promise.all(informers.map((inf) => inf.dispose()));
});
