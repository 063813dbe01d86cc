// The volume manager on the real host (as root): every volume kind of one pod on a temp dir, real
// tmpfs mounts (checked in /proc/self/mountinfo), the atomic ..data swap when a ConfigMap changes,
// hostPath type checks, and tearDown leaving nothing mounted. The harness's dispose unmounts
// whatever a failing test leaves under its temp dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { VolumeManager, VolumeSetUpError, failedMountMessages } from '../../../src/agent/volumes/volume-manager.js';
import type { PodObjects } from '../../../src/agent/objects.js';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { systemClock } from '../../../src/base/clock.js';
import { systemExec } from '../../../src/base/exec.js';
import type { ConfigMap, Container, Pod, Secret } from '../../../src/api/pod-types.js';
import { createTempDir, type TempDir } from '../../harness/index.js';
import { mountsUnder, readMounts } from '../../harness/mounts.js';

class MapObjects implements PodObjects {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  configMap(ns: string, name: string): Promise<ConfigMap | undefined> {
    return Promise.resolve(this.configMaps.get(`${ns}/${name}`));
  }
  secret(ns: string, name: string): Promise<Secret | undefined> {
    return Promise.resolve(this.secrets.get(`${ns}/${name}`));
  }
}

const silentLog = { warn: (): void => undefined, debug: (): void => undefined };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function setUpEnv(t: { after(fn: () => Promise<void>): void }): Promise<{ tmp: TempDir; root: string; objects: MapObjects; vm: VolumeManager }> {
  const tmp = await createTempDir();
  t.after(() => tmp.dispose());
  const root = tmp.join('root');
  const objects = new MapObjects();
  const vm = new VolumeManager({
    rootDir: root,
    objects,
    exec: systemExec,
    clock: systemClock,
    nodeAllocatable: () => ({ cpu: '2', memory: '1Gi' }),
    log: silentLog,
  });
  return { tmp, root, objects, vm };
}

/** fsType and super options of the mount exactly at `dir`, from /proc/self/mountinfo. */
async function mountAt(dir: string): Promise<{ fsType: string; options: string } | undefined> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash > 0 && f[4] === dir) return { fsType: f[dash + 1] ?? '', options: f[dash + 3] ?? '' };
  }
  return undefined;
}

test('every volume kind is set up on the host, refreshed atomically, and torn down', async (t) => {
  const { tmp, root, objects, vm } = await setUpEnv(t);
  const hostDir = tmp.join('host/created');
  const hostFile = tmp.join('host-file');
  await writeFile(hostFile, 'host');
  objects.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v=1', extra: 'e' }, binaryData: { bin: b64('\u0000\u0001') } });
  objects.secrets.set('ns/creds', { metadata: { name: 'creds' }, data: { password: b64('hunter2') } });
  const container: Container = {
    name: 'app',
    image: 'busybox',
    resources: { limits: { memory: '128Mi', cpu: '500m' } },
    volumeMounts: [
      { name: 'cfg', mountPath: '/etc/app' },
      { name: 'creds', mountPath: '/creds', readOnly: true },
      { name: 'scratch', mountPath: '/scratch', subPath: 'work' },
      { name: 'mem', mountPath: '/mem' },
      { name: 'hostdir', mountPath: '/host', mountPropagation: 'HostToContainer' },
    ],
  };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'ns', uid: 'pod-uid-1', labels: { app: 'web', tier: 'front' } },
    spec: {
      nodeName: 'node-1',
      containers: [container],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
        { name: 'hostdir', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } },
        { name: 'hostfile', hostPath: { path: hostFile, type: 'File' } },
        { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o600 }, { key: 'bin', path: 'bin' }] } },
        { name: 'creds', secret: { secretName: 'creds', defaultMode: 0o400 } },
        {
          name: 'info',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'mem_limit', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
            ],
          },
        },
        {
          name: 'all',
          projected: {
            sources: [
              { configMap: { name: 'cfg', items: [{ key: 'extra', path: 'extra' }] } },
              { secret: { name: 'creds', items: [{ key: 'password', path: 'secret/pw' }] } },
              { downwardAPI: { items: [{ path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } }] } },
            ],
          },
        },
      ],
    },
  };

  const volumes = await vm.setUp(pod, { podIPs: ['10.0.0.9'], hostIP: '192.168.1.2' });
  const vdir = (plugin: string, name: string): string => path.join(root, 'pods/pod-uid-1/volumes', plugin, name);

  // emptyDir on disk and in memory
  const scratch = vdir('kubernetes.io~empty-dir', 'scratch');
  const mem = vdir('kubernetes.io~empty-dir', 'mem');
  assert.equal((await stat(scratch)).mode & 0o777, 0o777);
  assert.equal(await mountAt(scratch), undefined);
  const memMount = await mountAt(mem);
  assert.equal(memMount?.fsType, 'tmpfs');
  assert.match(memMount?.options ?? '', /size=16384k/);

  // hostPath
  assert.ok((await stat(hostDir)).isDirectory());
  assert.equal((await stat(hostDir)).mode & 0o777, 0o755);

  // configMap: on disk, items, modes, binaryData, ..data scheme
  const cfg = vdir('kubernetes.io~configmap', 'cfg');
  assert.equal(await mountAt(cfg), undefined, 'configMap volumes are on disk');
  const cfgData = await readlink(path.join(cfg, '..data'));
  assert.match(cfgData, /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\./);
  assert.equal(await readlink(path.join(cfg, 'conf')), '..data/conf');
  assert.equal(await readFile(path.join(cfg, 'conf/app.conf'), 'utf8'), 'v=1');
  assert.equal((await stat(path.join(cfg, 'conf/app.conf'))).mode & 0o777, 0o600);
  assert.deepEqual([...(await readFile(path.join(cfg, 'bin')))], [0, 1]);
  assert.deepEqual((await readdir(cfg)).filter((n) => !n.startsWith('..')).sort(), ['bin', 'conf']);

  // secret: on a tmpfs, decoded, mode
  const creds = vdir('kubernetes.io~secret', 'creds');
  assert.equal((await mountAt(creds))?.fsType, 'tmpfs');
  assert.equal(await readFile(path.join(creds, 'password'), 'utf8'), 'hunter2');
  assert.equal((await stat(path.join(creds, 'password'))).mode & 0o777, 0o400);
  assert.ok((await lstat(path.join(creds, 'password'))).isSymbolicLink());

  // downwardAPI and projected
  const info = vdir('kubernetes.io~downward-api', 'info');
  assert.equal((await mountAt(info))?.fsType, 'tmpfs');
  assert.equal(await readFile(path.join(info, 'labels'), 'utf8'), 'app="web"\ntier="front"');
  assert.equal(await readFile(path.join(info, 'mem_limit'), 'utf8'), '128');
  const all = vdir('kubernetes.io~projected', 'all');
  assert.equal((await mountAt(all))?.fsType, 'tmpfs');
  assert.equal(await readFile(path.join(all, 'extra'), 'utf8'), 'e');
  assert.equal(await readFile(path.join(all, 'secret/pw'), 'utf8'), 'hunter2');
  assert.equal(await readFile(path.join(all, 'uid'), 'utf8'), 'pod-uid-1');
  assert.equal((await stat(path.join(all, 'uid'))).mode & 0o777, 0o644);

  // CRI mounts
  assert.deepEqual(volumes.mountsFor(container), [
    { containerPath: '/etc/app', hostPath: cfg, readonly: true, propagation: 'PROPAGATION_PRIVATE' },
    { containerPath: '/creds', hostPath: creds, readonly: true, propagation: 'PROPAGATION_PRIVATE' },
    { containerPath: '/scratch', hostPath: path.join(scratch, 'work'), readonly: false, propagation: 'PROPAGATION_PRIVATE' },
    { containerPath: '/mem', hostPath: mem, readonly: false, propagation: 'PROPAGATION_PRIVATE' },
    { containerPath: '/host', hostPath: hostDir, readonly: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
  ]);
  assert.ok((await stat(path.join(scratch, 'work'))).isDirectory());

  // Re-sync without changes: nothing rewritten, nothing mounted twice.
  const mountsBefore = (await mountsUnder(root)).length;
  await vm.setUp(pod, { podIPs: ['10.0.0.9'] });
  assert.equal(await readlink(path.join(cfg, '..data')), cfgData);
  assert.equal((await mountsUnder(root)).length, mountsBefore);

  // ConfigMap update: ..data swapped to a new dir, the old one gone, new content visible.
  objects.configMaps.set('ns/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v=2', extra: 'e2' }, binaryData: { bin: b64('\u0002') } });
  await vm.setUp(pod, { podIPs: ['10.0.0.9'] });
  const cfgData2 = await readlink(path.join(cfg, '..data'));
  assert.notEqual(cfgData2, cfgData);
  await assert.rejects(lstat(path.join(cfg, cfgData)), { code: 'ENOENT' });
  assert.deepEqual((await readdir(cfg)).filter((n) => n.startsWith('..')).sort(), ['..data', cfgData2].sort());
  assert.equal(await readFile(path.join(cfg, 'conf/app.conf'), 'utf8'), 'v=2');
  assert.equal(await readFile(path.join(all, 'extra'), 'utf8'), 'e2', 'projected sources refresh too');

  // tearDown: every tmpfs unmounted, the pod dir gone; hostPath data untouched.
  assert.deepEqual(await vm.listPodDirs(), ['pod-uid-1']);
  await vm.tearDown('pod-uid-1');
  assert.deepEqual(await mountsUnder(root), []);
  await assert.rejects(stat(path.join(root, 'pods/pod-uid-1')), { code: 'ENOENT' });
  assert.deepEqual(await vm.listPodDirs(), []);
  assert.equal(await readFile(hostFile, 'utf8'), 'host');
  assert.ok((await stat(hostDir)).isDirectory());
  await vm.tearDown('pod-uid-1');
});

test('hostPath type checks on real files, sockets and devices', async (t) => {
  const { tmp, vm } = await setUpEnv(t);
  const sock = tmp.join('s.sock');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(sock, resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await mkdir(tmp.join('dir'));
  const pod = (volumes: NonNullable<Pod['spec']['volumes']>): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'h', namespace: 'ns', uid: 'pod-uid-2' },
    spec: { containers: [{ name: 'c', image: 'i' }], volumes },
  });

  await vm.setUp(
    pod([
      { name: 'sock', hostPath: { path: sock, type: 'Socket' } },
      { name: 'null', hostPath: { path: '/dev/null', type: 'CharDevice' } },
      { name: 'dir', hostPath: { path: tmp.join('dir'), type: 'Directory' } },
      { name: 'newfile', hostPath: { path: tmp.join('dir/new'), type: 'FileOrCreate' } },
    ]),
    { podIPs: [] },
  );
  assert.equal((await stat(tmp.join('dir/new'))).mode & 0o777, 0o644);

  const err = await vm
    .setUp(
      pod([
        { name: 'a', hostPath: { path: tmp.join('missing'), type: 'Directory' } },
        { name: 'b', hostPath: { path: tmp.join('dir'), type: 'File' } },
        { name: 'c', hostPath: { path: tmp.join('dir'), type: 'Socket' } },
        { name: 'd', hostPath: { path: '/dev/null', type: 'BlockDevice' } },
        { name: 'e', hostPath: { path: tmp.join('no/parent'), type: 'FileOrCreate' } },
      ]),
      { podIPs: [] },
    )
    .then(
      () => assert.fail('setUp should fail'),
      (x: unknown) => x,
    );
  assert.ok(err instanceof VolumeSetUpError);
  assert.ok(isNodeletError(err, ErrorCode.FailedPrecondition));
  assert.deepEqual(failedMountMessages(err).slice(0, 4), [
    `MountVolume.SetUp failed for volume "a" : hostPath type check failed: ${tmp.join('missing')} is not a directory`,
    `MountVolume.SetUp failed for volume "b" : hostPath type check failed: ${tmp.join('dir')} is not a file`,
    `MountVolume.SetUp failed for volume "c" : hostPath type check failed: ${tmp.join('dir')} is not a socket file`,
    'MountVolume.SetUp failed for volume "d" : hostPath type check failed: /dev/null is not a block device',
  ]);
  assert.equal(err.failures[4]?.volume, 'e');
  assert.equal(err.failures.length, 5);
});

test('a failed set-up still tears down what it mounted', async (t) => {
  const { root, vm } = await setUpEnv(t);
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'f', namespace: 'ns', uid: 'pod-uid-3' },
    spec: {
      containers: [{ name: 'c', image: 'i' }],
      volumes: [
        { name: 'mem', emptyDir: { medium: 'Memory' } },
        { name: 'missing', secret: { secretName: 'nope' } },
      ],
    },
  };
  await assert.rejects(vm.setUp(pod, { podIPs: [] }), (err: unknown) => isNodeletError(err, ErrorCode.NotFound) && /secret "nope" not found/.test(err.message));
  assert.equal((await mountsUnder(root)).length, 1);
  await vm.tearDown('pod-uid-3');
  assert.deepEqual(await mountsUnder(root), []);
  assert.ok(!(await readMounts()).some((m) => m.mountPoint.startsWith(root)));
});
