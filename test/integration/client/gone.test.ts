// 410 Gone end to end: the real apiserver handler over a real SqliteStore in this process (the
// `nodelet apiserver` command compacts only every 5 minutes; here compact() is called directly).
// The client turns the watch's ERROR 410 event into Gone, and the reflector relists on it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runReflector } from '../../../src/api/client/reflector.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient, ListOptions, ObjectList, WatchOptions } from '../../../src/api/client/types.js';
import type { KubeObject } from '../../../src/api/object.js';
import { systemClock } from '../../../src/base/clock.js';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { startTestServer, TEST_TOKEN, type TestServer } from '../apiserver/server.js';

const CMS = '/api/v1/namespaces/default/configmaps';

let s: TestServer;
let client: KubeClient;
before(async () => {
  s = await startTestServer();
  client = createKubeClient({ credentials: { server: s.url, token: TEST_TOKEN, insecureSkipTlsVerify: false } });
});
after(async () => {
  client?.close();
  await s?.close();
});

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });

test('a watch from a compacted resourceVersion throws Gone', async () => {
  const old = await client.create(CMS, cm('old'));
  await client.create(CMS, cm('newer'));
  await s.store.compact(await s.store.currentRevision());
  await assert.rejects(
    (async () => {
      for await (const ev of client.watch(CMS, { resourceVersion: old.metadata.resourceVersion ?? '' })) assert.fail(`unexpected ${ev.type}`);
    })(),
    (err: unknown) => {
      assert.ok(isNodeletError(err, ErrorCode.Gone), String(err));
      assert.match(err.message, /too old resource version/);
      return true;
    },
  );
});

test('the reflector relists when its watch version was compacted away', { timeout: 60_000 }, async () => {
  await client.create(CMS, cm('r1'));
  const calls: string[] = [];
  const errors: unknown[] = [];
  let notify: (() => void) | undefined;
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise<void>((resolve) => (notify = resolve));
  };
  // The first watch is delayed until the store is compacted past the list's version, so it
  // starts from a version that is gone: the order of events is forced, not timed.
  let release: (() => void) | undefined;
  const firstWatchMayStart = new Promise<void>((resolve) => (release = resolve));
  let watches = 0;
  const gated: KubeClient = {
    server: client.server,
    get: (p, o) => client.get(p, o),
    list: (p: string, o?: ListOptions): Promise<ObjectList> => client.list(p, o),
    create: (p, b, o) => client.create(p, b, o),
    update: (p, b, o) => client.update(p, b, o),
    patch: (p, t, b, o) => client.patch(p, t, b, o),
    delete: (p, d, o) => client.delete(p, d, o),
    watch: (p: string, o?: WatchOptions) => ({
      async *[Symbol.asyncIterator]() {
        if (watches++ === 0) await firstWatchMayStart;
        yield* client.watch(p, o);
      },
    }),
    close: () => undefined,
  };
  const stop = new AbortController();
  const running = runReflector(
    { client: gated, clock: systemClock },
    {
      path: CMS,
      fieldSelector: 'metadata.name=r1',
      signal: stop.signal,
      handlers: {
        replace: (items) => {
          calls.push(`replace ${items.map((i) => i.metadata.name).join(',')}`);
          notify?.();
        },
        event: (ev) => {
          calls.push(`${ev.type} ${ev.object.metadata.name ?? ''}`);
          notify?.();
        },
        error: (err) => errors.push(err),
      },
    },
  );
  await until(() => calls.length >= 1);
  await client.patch(`${CMS}/r1`, 'merge', { data: { k: 'changed' } });
  await s.store.compact(await s.store.currentRevision());
  release?.();
  await until(() => calls.length >= 2);
  await client.delete(`${CMS}/r1`);
  await until(() => calls.length >= 3);
  stop.abort();
  await running;
  assert.deepEqual(calls, ['replace r1', 'replace r1', 'DELETED r1']);
  assert.equal(errors.length, 1);
  assert.ok(isNodeletError(errors[0], ErrorCode.Gone), String(errors[0]));
});
