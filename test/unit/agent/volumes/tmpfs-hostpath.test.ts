import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseMountInfo, podMemoryLimit, tmpfsSizeBytes } from '../../../../src/agent/volumes/tmpfs.js';
import { checkHostPathType } from '../../../../src/agent/volumes/hostpath.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import type { Container, Pod } from '../../../../src/api/pod-types.js';

test('mountinfo: mount points unescaped, fs type after the separator, optional fields skipped', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue',
    '40 22 0:50 / /var/lib/x/tmp rw - tmpfs tmpfs rw,size=1024k',
    'garbage',
    '',
  ].join('\n');
  assert.deepEqual(parseMountInfo(text), [
    { mountPoint: '/mnt/with space', fsType: 'ext3' },
    { mountPoint: '/var/lib/x/tmp', fsType: 'tmpfs' },
  ]);
});

function podWith(containers: Container[], initContainers: Container[] = []): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { containers, initContainers } };
}
const c = (name: string, memory?: string): Container => ({ name, image: 'i', ...(memory === undefined ? {} : { resources: { limits: { memory } } }) });

test('tmpfs size: node allocatable, lowered by the pod memory limit, lowered by sizeLimit (upstream order)', () => {
  const noLimits = podWith([c('a'), c('b', '1Gi')]);
  assert.equal(podMemoryLimit(noLimits), undefined);
  assert.equal(tmpfsSizeBytes(noLimits, undefined, '8Gi'), 8 * 2 ** 30);
  assert.equal(tmpfsSizeBytes(noLimits, '64Mi', '8Gi'), 64 * 2 ** 20);
  const limited = podWith([c('a', '100Mi'), c('b', '200Mi')], [c('init', '500Mi')]);
  assert.equal(podMemoryLimit(limited), 500 * 2 ** 20);
  assert.equal(tmpfsSizeBytes(limited, undefined, '8Gi'), 500 * 2 ** 20);
  assert.equal(tmpfsSizeBytes(limited, '1Gi', '8Gi'), 500 * 2 ** 20, 'a sizeLimit above the pod limit does not raise it');
  assert.equal(tmpfsSizeBytes(limited, '10Mi', '8Gi'), 10 * 2 ** 20);
  assert.equal(tmpfsSizeBytes(noLimits, undefined, '0'), undefined, 'nothing known: no size option');
});

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'volumes-unit-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const failedWith = (msg: string) => (err: unknown) => isNodeletError(err, ErrorCode.FailedPrecondition) && err.message === msg;

test('hostPath Directory / File must exist with the right type', async (t) => {
  const dir = await tempDir(t);
  const file = path.join(dir, 'f');
  await writeFile(file, 'x');
  await checkHostPathType(dir, 'Directory');
  await checkHostPathType(file, 'File');
  await checkHostPathType(path.join(dir, 'missing'), '');
  await checkHostPathType(path.join(dir, 'missing'), undefined);
  await assert.rejects(checkHostPathType(path.join(dir, 'missing'), 'Directory'), failedWith(`hostPath type check failed: ${dir}/missing is not a directory`));
  await assert.rejects(checkHostPathType(file, 'Directory'), failedWith(`hostPath type check failed: ${file} is not a directory`));
  await assert.rejects(checkHostPathType(dir, 'File'), failedWith(`hostPath type check failed: ${dir} is not a file`));
  await assert.rejects(checkHostPathType(file, 'DirectoryOrCreate'), failedWith(`hostPath type check failed: ${file} is not a directory`));
  await assert.rejects(checkHostPathType(dir, 'FileOrCreate'), failedWith(`hostPath type check failed: ${dir} is not a file`));
});

test('hostPath DirectoryOrCreate makes 0755 dirs with parents; FileOrCreate an empty 0644 file whose parent must exist', async (t) => {
  const dir = await tempDir(t);
  const old = process.umask(0o077);
  try {
    const d = path.join(dir, 'a/b');
    await checkHostPathType(d, 'DirectoryOrCreate');
    assert.equal((await stat(d)).mode & 0o7777, 0o755);
    const f = path.join(dir, 'new-file');
    await checkHostPathType(f, 'FileOrCreate');
    assert.equal((await stat(f)).mode & 0o7777, 0o644);
    assert.equal(await readFile(f, 'utf8'), '');
    await writeFile(f, 'kept');
    await checkHostPathType(f, 'FileOrCreate');
    assert.equal(await readFile(f, 'utf8'), 'kept');
    await assert.rejects(checkHostPathType(path.join(dir, 'nope/file'), 'FileOrCreate'), (err: unknown) => isNodeletError(err, ErrorCode.FailedPrecondition));
  } finally {
    process.umask(old);
  }
});

test('hostPath Socket / CharDevice / BlockDevice are checked by file type', async (t) => {
  const dir = await tempDir(t);
  await mkdir(path.join(dir, 'd'));
  await checkHostPathType('/dev/null', 'CharDevice');
  await assert.rejects(checkHostPathType('/dev/null', 'BlockDevice'), failedWith('hostPath type check failed: /dev/null is not a block device'));
  await assert.rejects(checkHostPathType('/dev/null', 'Socket'), failedWith('hostPath type check failed: /dev/null is not a socket file'));
  await assert.rejects(checkHostPathType(path.join(dir, 'd'), 'CharDevice'), failedWith(`hostPath type check failed: ${dir}/d is not a character device`));
});
