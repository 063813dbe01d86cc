// The Store conformance suite on a real etcd (started by the harness), plus durability of
// acknowledged writes across kill -9 of etcd, and endpoint failover.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { EtcdStore } from '../../../src/apiserver/storage/etcd.js';
import type { KeyValue } from '../../../src/apiserver/storage/store.js';
import { freePort, startEtcd } from '../../harness/etcd.js';
import { createTempDir } from '../../harness/tmp.js';
import { collect, storeConformance } from './conformance.js';

const tmp = await createTempDir();
after(() => tmp.dispose());
const etcd = await startEtcd({ tmp });
after(() => etcd.dispose());
let n = 0;

storeConformance('etcd', {
  open: () => Promise.resolve(new EtcdStore({ endpoints: [etcd.endpoint], keyPrefix: `/case-${n++}`, compaction: false })),
});

test('etcd: a dead endpoint in --etcd-servers is skipped', { timeout: 30_000 }, async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const store = new EtcdStore({ endpoints: [dead, etcd.endpoint], keyPrefix: '/failover', compaction: false });
  after(() => store.dispose());
  const kv = await store.create('/f/a', '1');
  assert.deepEqual(await store.get('/f/a'), kv);
  assert.equal((await store.list('/f/')).items.length, 1);
});

test('etcd: acknowledged writes survive kill -9 of etcd, and a watch resumes across the restart', { timeout: 120_000 }, async () => {
  const store = new EtcdStore({ endpoints: [etcd.endpoint], keyPrefix: '/durable', compaction: false, watchRetryMs: 60_000 });
  after(() => store.dispose());
  const ac = new AbortController();
  after(() => ac.abort());
  const watched = collect(store.watch('/d/', { afterRevision: await store.currentRevision(), signal: ac.signal }), (evs) =>
    evs.some((e) => e.kv.key === '/d/after-restart'),
  );
  const acked: KeyValue[] = [];
  let failed = 0;
  let next = 0;
  let killed = false;
  const writer = async (): Promise<void> => {
    while (!killed || failed === 0) {
      const i = next++;
      try {
        acked.push(await store.create(`/d/${String(i).padStart(6, '0')}`, JSON.stringify({ i })));
      } catch (err) {
        assert.ok(isNodeletError(err), String(err));
        failed++;
        return;
      }
      if (acked.length >= 300 && !killed) {
        killed = true;
        process.kill(etcd.daemon.pid, 'SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, () => writer()));
  const exit = await etcd.daemon.exited;
  assert.equal(exit.signal, 'SIGKILL');
  await etcd.restart();

  const listed = await store.list('/d/');
  const byKey = new Map(listed.items.map((kv) => [kv.key, kv]));
  for (const kv of acked) assert.deepEqual(byKey.get(kv.key), kv, `acknowledged ${kv.key} survived`);
  const maxAcked = Math.max(...acked.map((kv) => kv.modRevision));
  const later = await store.create('/d/after-restart', '{}');
  assert.ok(later.modRevision > maxAcked);
  // The watch lost its stream with etcd and resumed from its last revision: nothing lost or repeated.
  const events = await watched;
  const revisions = events.map((e) => e.kv.modRevision);
  assert.ok(revisions.every((r, i) => i === 0 || r > (revisions[i - 1] ?? 0)), 'strictly increasing revisions');
  assert.deepEqual(events.map((e) => e.kv.key).sort(), [...listed.items.map((kv) => kv.key), '/d/after-restart'].sort());
  console.log(`acknowledged before SIGKILL: ${acked.length}, on disk: ${listed.items.length}, failed: ${failed}`);
});

test('etcd: requests while etcd is down fail with Unavailable, not a hang', { timeout: 60_000 }, async () => {
  const store = new EtcdStore({ endpoints: [etcd.endpoint], keyPrefix: '/down', compaction: false, requestTimeoutMs: 1500 });
  after(() => store.dispose());
  await store.create('/x/a', '1');
  await etcd.daemon.stop(5000);
  const started = Date.now();
  await assert.rejects(store.get('/x/a'), (err: unknown) => isNodeletError(err, ErrorCode.Unavailable));
  assert.ok(Date.now() - started < 5000);
  await etcd.restart();
  assert.equal((await store.get('/x/a'))?.value, '1');
});
