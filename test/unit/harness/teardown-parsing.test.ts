// The pure parts the harness's teardown relies on: if these are wrong, tests leak mounts and processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountInfo } from '../../harness/mounts.js';
import { withDescendants, type ProcInfo } from '../../harness/procs.js';
import { renderContainerdConfig } from '../../harness/containerd-config.js';

test('mountinfo lines parse into mount point, type and source, with octal escapes undone', () => {
  const text = [
    '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
    '512 30 0:88 / /tmp/nodelet-test-abc/containerd/root/io.containerd.runtime.v2.task/k8s.io/x/rootfs rw,relatime - overlay overlay rw,lowerdir=/a',
    'garbage line without separator',
    '',
  ].join('\n');
  assert.deepEqual(parseMountInfo(text), [
    { mountPoint: '/mnt/with space', fsType: 'ext3', source: '/dev/root' },
    {
      mountPoint: '/tmp/nodelet-test-abc/containerd/root/io.containerd.runtime.v2.task/k8s.io/x/rootfs',
      fsType: 'overlay',
      source: 'overlay',
    },
  ]);
});

test('withDescendants finds children and grandchildren whatever the listing order', () => {
  const p = (pid: number, ppid: number): ProcInfo => ({ pid, ppid, state: 'S', cmdline: [] });
  const all = [p(40, 30), p(30, 20), p(20, 1), p(21, 1), p(50, 40), p(60, 21)];
  assert.deepEqual([...withDescendants(all, [20])].sort((a, b) => a - b), [20, 30, 40, 50]);
  assert.deepEqual([...withDescendants(all, [99])], [99]);
});

test('the containerd config keeps pod state private to the test node', () => {
  const text = renderContainerdConfig(
    {
      root: '/t/root',
      state: '/t/state',
      address: '/t/c.sock',
      ttrpcAddress: '/t/c.sock.ttrpc',
      optDir: '/t/opt',
      runcRoot: '/t/runc',
      cniConfDir: '/t/cni',
    },
    { sandboxImage: 'nodelet.local/pause:3.10', mirrorHost: 'nodelet.local', mirrorEndpoint: 'http://127.0.0.1:5000' },
  );
  assert.match(text, /sandbox_image = "nodelet\.local\/pause:3\.10"/);
  assert.match(text, /restrict_oom_score_adj = true/);
  assert.match(text, /netns_mounts_under_state_dir = true/);
  assert.match(text, /root = "\/t\/root"/);
  assert.match(text, /"nodelet\.local"[\s\S]*endpoint = \["http:\/\/127\.0\.0\.1:5000"\]/);
});
