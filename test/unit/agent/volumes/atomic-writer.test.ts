import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { timestampPrefix, writeAtomically, type FileProjection } from '../../../../src/agent/volumes/atomic-writer.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { FakeClock } from './fakes.js';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'volumes-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function payload(entries: Record<string, string | [string, number]>): Map<string, FileProjection> {
  return new Map(
    Object.entries(entries).map(([k, v]) => [k, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]),
  );
}

const tsDirs = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => /^\.\.\d{4}_/.test(n));

test('timestamp directories are named like upstream (UTC)', () => {
  assert.equal(timestampPrefix(Date.UTC(2016, 1, 1, 15, 4, 5)), '..2016_02_01_15_04_05.');
});

test('writes files into a timestamped dir behind ..data, with per-key symlinks and modes', async (t) => {
  const dir = await tempDir(t);
  const written = await writeAtomically(dir, payload({ a: 'A', b: ['B', 0o400], 'nested/deep/c': 'C' }), new FakeClock());
  assert.equal(written, true);
  const data = await readlink(path.join(dir, '..data'));
  assert.match(data, /^\.\.2024_05_01_10_00_00\./);
  assert.equal(await readlink(path.join(dir, 'a')), '..data/a');
  assert.equal(await readlink(path.join(dir, 'nested')), '..data/nested');
  assert.equal(await readFile(path.join(dir, 'a'), 'utf8'), 'A');
  assert.equal(await readFile(path.join(dir, 'nested/deep/c'), 'utf8'), 'C');
  assert.equal((await lstat(path.join(dir, data, 'b'))).mode & 0o777, 0o400);
  assert.equal((await lstat(path.join(dir, data, 'a'))).mode & 0o777, 0o644);
  assert.equal((await lstat(path.join(dir, data))).mode & 0o777, 0o755);
  assert.deepEqual((await readdir(dir)).sort(), ['..data', data, 'a', 'b', 'nested'].sort());
});

test('unchanged content writes nothing; a changed value swaps ..data and removes the old dir', async (t) => {
  const dir = await tempDir(t);
  const clock = new FakeClock();
  await writeAtomically(dir, payload({ a: 'A', b: 'B' }), clock);
  const first = await readlink(path.join(dir, '..data'));
  clock.ms += 1000;
  assert.equal(await writeAtomically(dir, payload({ b: 'B', a: 'A' }), clock), false);
  assert.equal(await readlink(path.join(dir, '..data')), first);

  assert.equal(await writeAtomically(dir, payload({ a: 'A2', b: 'B' }), clock), true);
  const second = await readlink(path.join(dir, '..data'));
  assert.notEqual(second, first);
  assert.deepEqual(await tsDirs(dir), [second]);
  assert.equal(await readFile(path.join(dir, 'a'), 'utf8'), 'A2');
});

test('a mode change alone rewrites', async (t) => {
  const dir = await tempDir(t);
  await writeAtomically(dir, payload({ a: 'A' }), new FakeClock());
  assert.equal(await writeAtomically(dir, payload({ a: ['A', 0o600] }), new FakeClock()), true);
  const data = await readlink(path.join(dir, '..data'));
  assert.equal((await lstat(path.join(dir, data, 'a'))).mode & 0o777, 0o600);
});

test('a key that disappears loses its visible symlink', async (t) => {
  const dir = await tempDir(t);
  await writeAtomically(dir, payload({ a: 'A', b: 'B', 'x/y': 'Y' }), new FakeClock());
  assert.equal(await writeAtomically(dir, payload({ a: 'A' }), new FakeClock()), true);
  assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')), ['a']);
});

test('an empty payload still makes ..data (an optional, missing ConfigMap)', async (t) => {
  const dir = await tempDir(t);
  assert.equal(await writeAtomically(dir, new Map(), new FakeClock()), true);
  assert.equal(await writeAtomically(dir, new Map(), new FakeClock()), false);
  assert.deepEqual((await readdir(dir)).filter((n) => !n.startsWith('..')), []);
});

test('timestamp dirs left by a crash are removed on the next write', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, '..2020_01_01_00_00_00.abc123'));
  await writeAtomically(dir, payload({ a: 'A' }), new FakeClock());
  assert.deepEqual(await tsDirs(dir), [await readlink(path.join(dir, '..data'))]);
});

test('invalid paths are refused before anything is written', async (t) => {
  const dir = await tempDir(t);
  for (const bad of ['/etc/passwd', '../x', 'a/../../x', '..data', '..x/y', '']) {
    await assert.rejects(
      writeAtomically(dir, payload({ [bad]: 'X' }), new FakeClock()),
      (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument) && err.message.startsWith('invalid path'),
      bad,
    );
  }
  assert.deepEqual(await readdir(dir), []);
});
