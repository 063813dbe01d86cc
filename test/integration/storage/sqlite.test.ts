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
