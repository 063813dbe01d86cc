// The Store conformance suite on SQLite, plus what only SQLite has: durability of acknowledged
// writes across kill -9 of the process, and the too-slow rule of its in-process watch fan-out.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { SqliteStore } from '../../../src/apiserver/storage/sqlite.js';
import { createTempDir } from '../../harness/tmp.js';
import { collect, storeConformance } from './conformance.js';

const tmp = await createTempDir();
after(() => tmp.dispose());
let n = 0;

storeConformance('sqlite', {
  open: () => Promise.resolve(new SqliteStore({ file: tmp.join(`case-${n++}`, 'storage.db'), compaction: false })),
});

test('sqlite: acknowledged writes survive kill -9, and the revision continues above them', async () => {
  const file = tmp.join('durable', 'storage.db');
  const script = fileURLToPath(new URL('./sqlite-writer.js', import.meta.url));
  const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<number, number>();
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [k, rev] = line.split(' ').map(Number);
        if (k !== undefined && rev !== undefined) acked.set(k, rev);
      }
      if (acked.size >= 2000 && child.exitCode === null && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  assert.equal(await exited, 'SIGKILL');

  const store = new SqliteStore({ file, compaction: false });
  after(() => store.dispose());
  const listed = await store.list('/durable/');
  const byKey = new Map(listed.items.map((kv) => [kv.key, kv]));
  for (const [k, rev] of acked) {
    const kv = byKey.get(`/durable/${String(k).padStart(6, '0')}`);
    assert.ok(kv, `acknowledged write ${k} is there`);
    assert.equal(kv.modRevision, rev);
  }
  const maxAcked = Math.max(...acked.values());
  assert.ok((await store.currentRevision()) >= maxAcked);
  const next = await store.create('/durable/after-restart', '{}');
  assert.ok(next.modRevision > maxAcked && next.modRevision > listed.revision, 'the revision counter continues');
  console.log(`acknowledged before SIGKILL: ${acked.size}, on disk: ${listed.items.length}`);
});

test('sqlite: a second process cannot open the same database', async () => {
  const file = tmp.join('locked', 'storage.db');
  const store = new SqliteStore({ file, compaction: false });
  after(() => store.dispose());
  const script = `import('${new URL('../../../src/apiserver/storage/sqlite.js', import.meta.url).href}').then(({ SqliteStore }) => {
    try { new SqliteStore({ file: ${JSON.stringify(file)}, compaction: false }); console.log('opened'); }
    catch (err) { console.log(err.code); }
  })`;
  const out = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.on('exit', () => resolve(text.trim()));
  });
  assert.equal(out, ErrorCode.FailedPrecondition);
});

test('sqlite: a watcher that falls too far behind ends with ResourceExhausted; others go on', async () => {
  const store = new SqliteStore({ file: tmp.join('slow', 'storage.db'), compaction: false, watchBufferLimit: 10 });
  after(() => store.dispose());
  const ac = new AbortController();
  after(() => ac.abort());
  const from = await store.currentRevision();
  const slow = store.watch('/slow/', { afterRevision: from, signal: ac.signal })[Symbol.asyncIterator]();
  const fast = collect(store.watch('/slow/', { afterRevision: from, signal: ac.signal }), (evs) => evs.length === 30);
  const first = slow.next(); // subscribes; the slow watcher then reads nothing for a while
  for (let i = 0; i < 30; i++) await store.create(`/slow/${i}`, 'x');
  assert.equal((await first).value?.kv.key, '/slow/0');
  await assert.rejects(
    (async () => {
      for (;;) if ((await slow.next()).done) return;
    })(),
    (err: unknown) => isNodeletError(err, ErrorCode.ResourceExhausted),
  );
  assert.equal((await fast).length, 30, 'a fast watcher is not affected');
});

test('sqlite: writes issued together share one commit and keep their order', async () => {
  const store = new SqliteStore({ file: tmp.join('batch', 'storage.db'), compaction: false });
  after(() => store.dispose());
  const results = await Promise.allSettled([
    store.create('/b/a', '1'),
    store.create('/b/a', 'dup'), // fails alone, inside the same batch
    store.create('/b/b', '2'),
  ]);
  assert.equal(results[0]?.status, 'fulfilled');
  assert.ok(results[1]?.status === 'rejected' && isNodeletError(results[1].reason, ErrorCode.AlreadyExists));
  assert.ok(results[0]?.status === 'fulfilled' && results[2]?.status === 'fulfilled');
  assert.equal(results[2].value.modRevision, results[0].value.modRevision + 1);
});

test('sqlite: compaction deletes old history in chunks while a watch replays; a replay it overtakes ends Gone', async () => {
  const store = new SqliteStore({ file: tmp.join('compact', 'storage.db'), compaction: false });
  after(() => store.dispose());
  const start = await store.currentRevision();
  const first = await store.create('/h/k', '0');
  let cur = first;
  const updates: Promise<unknown>[] = [];
  for (let i = 1; i <= 12_000; i++) {
    // Distinct keys in one batch, so the loop needs no round trip per write.
    updates.push(store.create(`/h/n${i}`, String(i)));
  }
  await Promise.all(updates);
  for (let i = 1; i <= 10; i++) cur = await store.update('/h/k', String(i), cur.modRevision);
  const end = await store.currentRevision();
  const mid = start + 6000;

  const ac = new AbortController();
  after(() => ac.abort());
  // A watch from before the compaction point, paused after its first event.
  const early = store.watch('/h/', { afterRevision: start, signal: ac.signal })[Symbol.asyncIterator]();
  assert.equal((await early.next()).value?.kv.modRevision, first.modRevision);
  // A watch from the compaction point itself replays everything after it.
  const fromMid = collect(store.watch('/h/', { afterRevision: mid, signal: ac.signal }), (evs) => evs.length === end - mid);

  await store.compact(mid);
  assert.equal(await store.compactedRevision(), mid);
  await assert.rejects(
    (async () => {
      for (;;) if ((await early.next()).done) return;
    })(),
    (err: unknown) => isNodeletError(err, ErrorCode.Gone),
  );
  const replayed = await fromMid;
  assert.equal(replayed[0]?.kv.modRevision, mid + 1);
  assert.equal(replayed[replayed.length - 1]?.kv.modRevision, end);
  // The state at the compacted revision is still readable, and the current state untouched.
  const atMid = await store.list('/h/', { revision: mid });
  assert.equal(atMid.items.length, mid - start);
  assert.equal((await store.get('/h/k'))?.value, '10');
  await assert.rejects(store.list('/h/', { revision: mid - 1 }), (err: unknown) => isNodeletError(err, ErrorCode.Gone));
});

test('sqlite: the revision and compaction survive a reopen', async () => {
  const file = tmp.join('reopen', 'storage.db');
  const first = new SqliteStore({ file, compaction: false });
  const a = await first.create('/r/a', '1');
  await first.delete('/r/a');
  await first.compact(await first.currentRevision());
  const compacted = await first.compactedRevision();
  await first.dispose();
  const second = new SqliteStore({ file, compaction: false });
  after(() => second.dispose());
  assert.equal(await second.compactedRevision(), compacted);
  assert.equal(await second.currentRevision(), a.modRevision + 1);
  assert.equal((await second.create('/r/b', '2')).modRevision, a.modRevision + 2);
});
