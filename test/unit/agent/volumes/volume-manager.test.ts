import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VolumeManager, VolumeSetUpError, failedMountMessages, type VolumeLog } from '../../../../src/agent/volumes/volume-manager.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { createLogger } from '../../../../src/base/log.js';
import type { Container, Pod, Volume } from '../../../../src/api/pod-types.js';
import { FakeClock, FakeMounts, FakeObjects, RecordingLog, b64 } from './fakes.js';

interface Env {
  root: string;
  mounts: FakeMounts;
  objects: FakeObjects;
  log: RecordingLog;
  clock: FakeClock;
  vm: VolumeManager;
}

async function env(t: { after(fn: () => Promise<void>): void }): Promise<Env> {
  const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'volumes-unit-')));
  t.after(() => rm(root, { recursive: true, force: true }));
  const mounts = new FakeMounts();
  const objects = new FakeObjects();
  const log = new RecordingLog();
  const clock = new FakeClock();
  const vm = new VolumeManager({
    rootDir: root,
    objects,
    exec: mounts,
    clock,
    nodeAllocatable: () => ({ cpu: '4', memory: '8Gi' }),
    log,
    readMountInfo: mounts.readMountInfo,
  });
  return { root, mounts, objects, log, clock, vm };
}

function pod(volumes: Volume[], containers: Container[] = [{ name: 'c', image: 'i' }]): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', labels: { app: 'web' } }, spec: { containers, volumes } };
}

const volDir = (e: Env, plugin: string, name: string): string => path.join(e.root, 'pods/uid-1/volumes', plugin, name);

test('the manager accepts a winston logger', () => {
  const log: VolumeLog = createLogger({ level: 'error', format: 'json' });
  assert.equal(typeof log.warn, 'function');
});

test('emptyDir on disk: a 0777 dir, no mounts; re-sync is a no-op', async (t) => {
  const e = await env(t);
  const p = pod([{ name: 'scratch', emptyDir: {} }]);
  await e.vm.setUp(p, { podIPs: [] });
  await e.vm.setUp(p, { podIPs: [] });
  assert.equal((await stat(volDir(e, 'kubernetes.io~empty-dir', 'scratch'))).mode & 0o7777, 0o777);
  assert.deepEqual(e.mounts.calls, []);
});

test('emptyDir medium Memory: a tmpfs sized by sizeLimit, mounted once', async (t) => {
  const e = await env(t);
  const p = pod([{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }]);
  await e.vm.setUp(p, { podIPs: [] });
  await e.vm.setUp(p, { podIPs: [] });
  const dir = volDir(e, 'kubernetes.io~empty-dir', 'cache');
  assert.deepEqual(e.mounts.calls, [['mount', '-t', 'tmpfs', '-o', `size=${64 * 2 ** 20}`, 'tmpfs', dir]]);
});

test('secret volume: on a tmpfs, base64-decoded files, defaultMode, read-only mounts', async (t) => {
  const e = await env(t);
  e.objects.secrets.set('ns/creds', { metadata: { name: 'creds' }, data: { user: b64('admin'), pass: b64('s3cret') } });
  const p = pod([{ name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } }], [{ name: 'c', image: 'i', volumeMounts: [{ name: 'creds', mountPath: '/creds' }] }]);
  const volumes = await e.vm.setUp(p, { podIPs: [] });
  const dir = volDir(e, 'kubernetes.io~secret', 'creds');
  assert.deepEqual(e.mounts.commands('mount'), [['mount', '-t', 'tmpfs', '-o', `size=${8 * 2 ** 30}`, 'tmpfs', dir]]);
  assert.equal(await readFile(path.join(dir, 'pass'), 'utf8'), 's3cret');
  assert.equal((await stat(path.join(dir, 'user'))).mode & 0o777, 0o400);
  assert.equal(await readlink(path.join(dir, 'user')), '..data/user');
  const [container] = p.spec.containers;
  assert.ok(container);
  assert.deepEqual(volumes.mountsFor(container), [{ containerPath: '/creds', hostPath: dir, readonly: true, propagation: 'PROPAGATION_PRIVATE' }]);
});

test('configMap volume: on disk, refreshed on re-sync when the ConfigMap changes', async (t) => {
  const e = await env(t);
  e.objects.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { a: '1' } });
  const p = pod([{ name: 'cfg', configMap: { name: 'cfg' } }]);
  await e.vm.setUp(p, { podIPs: [] });
  const dir = volDir(e, 'kubernetes.io~configmap', 'cfg');
  const first = await readlink(path.join(dir, '..data'));
  await e.vm.setUp(p, { podIPs: [] });
  assert.equal(await readlink(path.join(dir, '..data')), first, 'unchanged: not rewritten');
  e.objects.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { a: '2', b: 'new' } });
  e.clock.ms += 60_000;
  await e.vm.setUp(p, { podIPs: [] });
  assert.notEqual(await readlink(path.join(dir, '..data')), first);
  assert.equal(await readFile(path.join(dir, 'a'), 'utf8'), '2');
  assert.equal(await readFile(path.join(dir, 'b'), 'utf8'), 'new');
  assert.deepEqual(e.mounts.calls, [], 'configMaps are not on a tmpfs');
});

test('missing ConfigMap / Secret fail with NotFound naming the volume; optional ones give an empty volume', async (t) => {
  const e = await env(t);
  const p = pod([
    { name: 'cfg', configMap: { name: 'absent' } },
    { name: 'sec', secret: { secretName: 'gone' } },
    { name: 'opt', configMap: { name: 'absent', optional: true } },
  ]);
  const err = await e.vm.setUp(p, { podIPs: [] }).then(
    () => assert.fail('setUp should fail'),
    (x: unknown) => x,
  );
  assert.ok(err instanceof VolumeSetUpError);
  assert.equal(err.code, ErrorCode.NotFound);
  assert.deepEqual(err.failures, [
    { volume: 'cfg', code: ErrorCode.NotFound, detail: 'configmap "absent" not found' },
    { volume: 'sec', code: ErrorCode.NotFound, detail: 'secret "gone" not found' },
  ]);
  assert.deepEqual(failedMountMessages(err), [
    'MountVolume.SetUp failed for volume "cfg" : configmap "absent" not found',
    'MountVolume.SetUp failed for volume "sec" : secret "gone" not found',
  ]);
  // Nothing is created for the failed ones; the optional one exists and is empty.
  assert.deepEqual(await readdir(path.join(e.root, 'pods/uid-1/volumes')), ['kubernetes.io~configmap']);
  assert.deepEqual(await readdir(volDir(e, 'kubernetes.io~configmap', 'opt')).then((n) => n.filter((x) => !x.startsWith('..'))), []);
  assert.deepEqual(e.mounts.calls, []);
});

test('an unsupported volume source is InvalidArgument naming the volume and the type', async (t) => {
  const e = await env(t);
  await assert.rejects(e.vm.setUp(pod([{ name: 'data', unsupported: 'persistentVolumeClaim' }]), { podIPs: [] }), (err: unknown) => {
    assert.ok(isNodeletError(err, ErrorCode.InvalidArgument));
    assert.equal(err.message, 'volume "data": unsupported volume type persistentVolumeClaim');
    return true;
  });
});

test('hostPath type errors are FailedPrecondition; mounts use the host path', async (t) => {
  const e = await env(t);
  const missing = path.join(e.root, 'no-such-dir');
  await assert.rejects(e.vm.setUp(pod([{ name: 'h', hostPath: { path: missing, type: 'Directory' } }]), { podIPs: [] }), (err: unknown) => {
    assert.ok(isNodeletError(err, ErrorCode.FailedPrecondition));
    assert.deepEqual(failedMountMessages(err), [`MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${missing} is not a directory`]);
    return true;
  });
  const c: Container = { name: 'c', image: 'i', volumeMounts: [{ name: 'h', mountPath: '/host', mountPropagation: 'HostToContainer' }] };
  const v = await e.vm.setUp(pod([{ name: 'h', hostPath: { path: e.root } }], [c]), { podIPs: [] });
  assert.deepEqual(v.mountsFor(c), [{ containerPath: '/host', hostPath: e.root, readonly: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' }]);
});

test('downwardAPI and projected volumes: merged sources on a tmpfs; serviceAccountToken skipped with a warning', async (t) => {
  const e = await env(t);
  e.objects.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { a: 'A' } });
  e.objects.secrets.set('ns/sec', { metadata: { name: 'sec' }, data: { s: b64('S') } });
  const p = pod([
    { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    {
      name: 'all',
      projected: {
        defaultMode: 0o440,
        sources: [
          { configMap: { name: 'cfg', items: [{ key: 'a', path: 'conf/a' }] } },
          { secret: { name: 'sec' } },
          { downwardAPI: { items: [{ path: 'name', fieldRef: { fieldPath: 'metadata.name' } }] } },
          { serviceAccountToken: { path: 'token' } },
        ],
      },
    },
  ]);
  await e.vm.setUp(p, { podIPs: ['10.1.0.7'] });
  const info = volDir(e, 'kubernetes.io~downward-api', 'info');
  const all = volDir(e, 'kubernetes.io~projected', 'all');
  assert.equal(await readFile(path.join(info, 'labels'), 'utf8'), 'app="web"');
  assert.equal(await readFile(path.join(all, 'conf/a'), 'utf8'), 'A');
  assert.equal(await readFile(path.join(all, 's'), 'utf8'), 'S');
  assert.equal(await readFile(path.join(all, 'name'), 'utf8'), 'web');
  assert.equal((await stat(path.join(all, 's'))).mode & 0o777, 0o440);
  await assert.rejects(lstat(path.join(all, 'token')));
  assert.deepEqual(e.mounts.commands('mount').map((c) => c[c.length - 1]), [info, all]);
  assert.equal(e.log.warnings.length, 1);
  assert.match(e.log.warnings[0]?.message ?? '', /serviceAccountToken/);
});

test('mountsFor: subPath created with the volume mode, readOnly, propagation; bad mounts are refused', async (t) => {
  const e = await env(t);
  const c: Container = {
    name: 'c',
    image: 'i',
    volumeMounts: [
      { name: 'scratch', mountPath: '/data', subPath: 'sub/dir', readOnly: true },
      { name: 'scratch', mountPath: '/all', mountPropagation: 'None' },
    ],
  };
  const v = await e.vm.setUp(pod([{ name: 'scratch', emptyDir: {} }], [c]), { podIPs: [] });
  const dir = volDir(e, 'kubernetes.io~empty-dir', 'scratch');
  assert.deepEqual(v.mountsFor(c), [
    { containerPath: '/data', hostPath: path.join(dir, 'sub/dir'), readonly: true, propagation: 'PROPAGATION_PRIVATE' },
    { containerPath: '/all', hostPath: dir, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
  ]);
  assert.equal((await stat(path.join(dir, 'sub/dir'))).mode & 0o7777, 0o777);

  const mountOf = (vm: Container['volumeMounts']): Container => ({ name: 'c', image: 'i', volumeMounts: vm ?? [] });
  assert.throws(
    () => v.mountsFor(mountOf([{ name: 'nope', mountPath: '/x' }])),
    (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument) && err.message === 'cannot find volume "nope" to mount into container "c"',
  );
  assert.throws(() => v.mountsFor(mountOf([{ name: 'scratch', mountPath: '/x', subPath: '/etc' }])), /must not be an absolute path/);
  assert.throws(() => v.mountsFor(mountOf([{ name: 'scratch', mountPath: '/x', subPath: 'a/../..' }])), /must not contain '..'/);
  assert.throws(() => v.mountsFor(mountOf([{ name: 'scratch', mountPath: '/x', mountPropagation: 'Bidirectional' }])), /only to privileged containers/);
  const priv: Container = { ...mountOf([{ name: 'scratch', mountPath: '/x', mountPropagation: 'Bidirectional' }]), securityContext: { privileged: true } };
  assert.equal(v.mountsFor(priv)[0]?.propagation, 'PROPAGATION_BIDIRECTIONAL');

  // A symlink inside the volume must not lead a subPath out of it.
  const outside = path.join(e.root, 'outside');
  await mkdir(outside);
  await symlink(outside, path.join(dir, 'escape'));
  assert.throws(
    () => v.mountsFor(mountOf([{ name: 'scratch', mountPath: '/x', subPath: 'escape/new' }])),
    (err: unknown) => isNodeletError(err, ErrorCode.FailedPrecondition) && /not within volume path/.test(err.message),
  );
  assert.deepEqual(await readdir(outside), [], 'nothing was created outside the volume');
  await writeFile(path.join(dir, 'file'), 'x');
  assert.equal(v.mountsFor(mountOf([{ name: 'scratch', mountPath: '/f', subPath: 'file' }]))[0]?.hostPath, path.join(dir, 'file'));
});

test('tearDown unmounts the tmpfs mounts and removes the pod dir; listPodDirs sees pod dirs', async (t) => {
  const e = await env(t);
  e.objects.secrets.set('ns/s', { metadata: { name: 's' }, data: { k: b64('v') } });
  await e.vm.setUp(pod([{ name: 'm', emptyDir: { medium: 'Memory' } }, { name: 's', secret: { secretName: 's' } }, { name: 'd', emptyDir: {} }]), { podIPs: [] });
  assert.deepEqual(await e.vm.listPodDirs(), ['uid-1']);
  assert.equal(e.mounts.table.size, 2);

  e.mounts.failUmount = true;
  await assert.rejects(e.vm.tearDown('uid-1'), (err: unknown) => isNodeletError(err, ErrorCode.ExecFailed));
  assert.deepEqual(await e.vm.listPodDirs(), ['uid-1'], 'nothing removed while mounted');

  e.mounts.failUmount = false;
  await e.vm.tearDown('uid-1');
  assert.equal(e.mounts.table.size, 0);
  assert.deepEqual(
    e.mounts.commands('umount').slice(-2).map((c) => c[1]).sort(),
    [volDir(e, 'kubernetes.io~empty-dir', 'm'), volDir(e, 'kubernetes.io~secret', 's')].sort(),
  );
  assert.deepEqual(await e.vm.listPodDirs(), []);
  await e.vm.tearDown('uid-1');
});

test('a cancelled setUp rejects with Cancelled', async (t) => {
  const e = await env(t);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(e.vm.setUp(pod([{ name: 'd', emptyDir: {} }]), { podIPs: [] }, ac.signal), (err: unknown) => isNodeletError(err, ErrorCode.Cancelled));
});
