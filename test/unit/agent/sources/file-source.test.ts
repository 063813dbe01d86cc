import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import winston from 'winston';
import type { Pod } from '../../../../src/api/pod-types.js';
import type { Clock } from '../../../../src/base/clock.js';
import type { NodeletError } from '../../../../src/base/errors.js';
import { FileSource } from '../../../../src/agent/sources/file-source.js';

/** Sleeps until aborted: the poll loop runs its first scan and then waits; tests call rescan(). */
class ParkedClock implements Clock {
  now(): number {
    return Date.UTC(2024, 0, 1);
  }
  sleep(_ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((_resolve, reject) => {
      if (signal?.aborted) reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
}

const manifest = (name: string, image = 'nodelet.local/busybox:1.35'): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: ${image}\n`;

interface Harness {
  dir: string;
  source: FileSource;
  snapshots: Pod[][];
  errors: Array<{ file: string; err: NodeletError }>;
  names(): string[];
  last(): Pod[];
  /** Resolves at the first snapshot (or now) for which `pred` holds; holds no timer. */
  until(pred: () => boolean): Promise<void>;
}

const silent = winston.createLogger({ silent: true });

describe('FileSource', () => {
  let root: string;
  let h: Harness;

  function make(dir: string): Harness {
    const snapshots: Pod[][] = [];
    const waiters: Array<() => void> = [];
    const errors: Array<{ file: string; err: NodeletError }> = [];
    const source = new FileSource(
      { clock: new ParkedClock(), log: silent },
      {
        path: dir,
        nodeName: 'node-a',
        checkFrequencyMs: 20_000,
        onSnapshot: (pods) => {
          snapshots.push(pods);
          for (const w of waiters.splice(0)) w();
        },
        onError: (file, err) => errors.push({ file, err }),
      },
    );
    const last = (): Pod[] => snapshots.at(-1) ?? [];
    const names = (): string[] => last().map((p) => p.metadata.name).sort();
    const until = (pred: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (pred()) resolve();
          else waiters.push(check);
        };
        check();
      });
    return { dir, source, snapshots, errors, last, names, until };
  }

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'nodelet-file-source-'));
    h = make(path.join(root, 'manifests'));
    await mkdir(h.dir);
  });
  afterEach(async () => {
    await h.source.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('reads YAML and JSON manifests, skipping dotfiles, directories and non-manifests', async () => {
    await writeFile(path.join(h.dir, 'a.yaml'), manifest('a'));
    await writeFile(path.join(h.dir, 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'x:1' }] } }));
    await writeFile(path.join(h.dir, '.hidden.yaml'), manifest('hidden'));
    await mkdir(path.join(h.dir, 'sub'));
    await writeFile(path.join(h.dir, 'sub', 'c.yaml'), manifest('c'));
    await symlink(path.join(h.dir, 'sub', 'c.yaml'), path.join(h.dir, 'link.yaml'));
    await h.source.rescan();
    assert.deepEqual(h.names(), ['a-node-a', 'b-node-a', 'c-node-a'], 'a symlink to a manifest counts, as os.Stat follows it');
    assert.deepEqual(h.errors, []);
  });

  it('reports an empty snapshot for a missing path (so the source counts as synced)', async () => {
    const missing = make(path.join(root, 'nope'));
    await missing.source.rescan();
    assert.deepEqual(missing.snapshots, [[]]);
    await missing.source.dispose();
  });

  it('accepts a single manifest file as the path', async () => {
    const file = path.join(root, 'one.yaml');
    await writeFile(file, manifest('one'));
    const single = make(file);
    await single.source.rescan();
    assert.deepEqual(single.names(), ['one-node-a']);
    await single.source.dispose();
  });

  it('reports a malformed manifest once, by file, without touching the other pods', async () => {
    await writeFile(path.join(h.dir, 'good.yaml'), manifest('good'));
    await writeFile(path.join(h.dir, 'bad.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  containers: [{name: c, image: 3}]\n');
    await h.source.rescan();
    await h.source.rescan();
    assert.deepEqual(h.names(), ['good-node-a']);
    assert.equal(h.errors.length, 1, 'once per content, not every scan');
    const [e] = h.errors;
    assert.equal(e?.file, path.join(h.dir, 'bad.yaml'));
    assert.equal(e?.err.code, 'InvalidArgument');
    assert.equal(e?.err.message, `static pod manifest ${path.join(h.dir, 'bad.yaml')}: spec.containers[0].image: must be a string`);
  });

  it('keeps the same pod object for unchanged content and a new uid for edited content', async () => {
    const file = path.join(h.dir, 'web.yaml');
    await writeFile(file, manifest('web'));
    await h.source.rescan();
    const first = h.last()[0];
    await h.source.rescan();
    assert.equal(h.last()[0], first, 'unchanged file: same object, same config.seen');
    await writeFile(file, manifest('web', 'nodelet.local/busybox:1.36'));
    await h.source.rescan();
    const second = h.last();
    assert.equal(second.length, 1);
    assert.notEqual(second[0]?.metadata.uid, first?.metadata.uid);
    assert.equal(second[0]?.spec.containers[0]?.image, 'nodelet.local/busybox:1.36');
  });

  it('drops the pod of a file that became malformed at the next periodic scan, not on a watch event', async () => {
    const file = path.join(h.dir, 'web.yaml');
    await writeFile(file, manifest('web'));
    await h.source.rescan();
    await writeFile(file, 'apiVersion: v1\nkind: Pod\nmetadata: {name: web\n');
    await h.source.rescan(false);
    assert.deepEqual(h.names(), ['web-node-a'], 'a watch-triggered scan keeps the last good pod');
    assert.equal(h.errors.length, 1);
    await h.source.rescan(true);
    assert.deepEqual(h.names(), [], 'the periodic scan drops it, as upstream');
    assert.equal(h.errors.length, 1, 'not reported again');
    await writeFile(file, manifest('web'));
    await h.source.rescan(false);
    assert.deepEqual(h.names(), ['web-node-a'], 'fixed: back');
  });

  it('removes the pod of a removed file', async () => {
    await writeFile(path.join(h.dir, 'a.yaml'), manifest('a'));
    await writeFile(path.join(h.dir, 'b.yaml'), manifest('b'));
    await h.source.rescan();
    await unlink(path.join(h.dir, 'a.yaml'));
    await h.source.rescan();
    assert.deepEqual(h.names(), ['b-node-a']);
  });

  it('refuses a second file defining the same pod name', async () => {
    await writeFile(path.join(h.dir, 'a.yaml'), manifest('same'));
    await writeFile(path.join(h.dir, 'b.yaml'), manifest('same', 'other:1'));
    await h.source.rescan();
    assert.equal(h.last().length, 1);
    assert.equal(h.last()[0]?.spec.containers[0]?.image, 'nodelet.local/busybox:1.35', 'the first file (sorted) wins');
    assert.deepEqual(h.errors.map((e) => e.file), [path.join(h.dir, 'b.yaml')]);
    await unlink(path.join(h.dir, 'a.yaml'));
    await h.source.rescan();
    assert.equal(h.last()[0]?.spec.containers[0]?.image, 'other:1', 'the other one runs once the name is free');
  });

  it('notices a new file through fs.watch, without a poll', { timeout: 20_000 }, async () => {
    h.source.start();
    // The first scan runs at start; the parked clock means no poll ever follows.
    await h.until(() => h.snapshots.length > 0);
    const seen = h.until(() => h.names().includes('late-node-a'));
    await writeFile(path.join(h.dir, 'late.yaml'), manifest('late'));
    await seen;
  });
});
