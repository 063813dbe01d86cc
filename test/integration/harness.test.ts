// The harness itself: a test node comes up with working daemons, and disposing it leaves
// nothing behind, also when containers still run or containerd died first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { systemExec } from '../../src/base/exec.js';
import { findCgroups } from '../harness/cgroups.js';
import { BUSYBOX_IMAGE, registryRef } from '../harness/images.js';
import { mountsUnder } from '../harness/mounts.js';
import { isGone, listProcesses } from '../harness/procs.js';
import { startTestNode, type TestNode } from '../harness/testnode.js';

interface Footprint {
  pids: number[];
  netns: string;
  dir: string;
  cgroupName: string;
}

function footprint(node: TestNode, extraPids: number[] = []): Footprint {
  const pids = [node.registry.daemon.pid, node.containerd.daemon.pid, ...extraPids];
  return { pids, netns: node.netns.name, dir: node.tmp.path, cgroupName: node.tmp.name };
}

async function assertNothingLeft(f: Footprint): Promise<void> {
  for (const pid of f.pids) assert.ok(await isGone(pid), `process ${pid} is gone`);
  const mentioning = (await listProcesses()).filter((p) => p.cmdline.some((a) => a.includes(f.dir)));
  assert.deepEqual(mentioning.map((p) => `${p.pid} ${p.cmdline.join(' ')}`), [], 'no process mentions the test dir');
  const namespaces = (await systemExec.run('ip', ['netns', 'list'])).stdout;
  assert.ok(!namespaces.includes(f.netns), `netns ${f.netns} is gone`);
  assert.ok(!existsSync(f.dir), `${f.dir} is gone`);
  assert.deepEqual(await mountsUnder(f.dir), [], 'nothing mounted under the test dir');
  assert.deepEqual(await findCgroups(f.cgroupName), [], 'no cgroups of the test remain');
}

/** Pulls busybox through ctr (a client-side pull: ctr must run inside the node's netns) and runs `sleep 1000`. */
async function runSleeper(node: TestNode, id: string): Promise<number> {
  const image = registryRef(BUSYBOX_IMAGE, node.registry.address);
  await node.containerd.ctrChecked(['images', 'pull', '--plain-http', image]);
  await node.containerd.ctrChecked([
    'run', '-d', '--runc-root', node.containerd.runcRoot, '--cgroup', `${node.cgroupParent}/${id}`, image, id, 'sleep', '1000',
  ]);
  const tasks = await node.containerd.ctrChecked(['tasks', 'ls']);
  const line = tasks.stdout.split('\n').find((l) => l.startsWith(`${id} `));
  const pid = Number(line?.trim().split(/\s+/)[1]);
  assert.ok(pid > 0 && line?.includes('RUNNING'), `task ${id} runs: ${tasks.stdout}`);
  return pid;
}

test('a test node with dockerd and etcd answers, and disposing it leaves nothing', async () => {
  const node = await startTestNode({ dockerd: true, etcd: true });
  after(() => node.dispose());

  const version = await node.containerd.ctrChecked(['version']);
  assert.match(version.stdout, /Server:/);
  assert.match(node.containerd.socketPath, /^unix:\/\/\/.*containerd\.sock$/);
  assert.ok(Buffer.byteLength(node.containerd.address) < 108, 'socket path fits sockaddr_un');

  assert.deepEqual((await node.registry.catalog()).sort(), ['busybox', 'pause']);

  const docker = await node.dockerd.docker(['version', '--format', '{{.Server.Version}}']);
  assert.equal(docker.code, 0, docker.stderr);
  assert.match(docker.stdout, /^\d+\.\d+/);
  // A container still running at dispose() must not survive it.
  const image = registryRef(BUSYBOX_IMAGE, node.registry.address);
  const run = await node.dockerd.docker(['run', '-d', '--name', 'sleeper', image, 'sleep', '1000']);
  assert.equal(run.code, 0, run.stderr);

  assert.ok(await node.etcd.healthy());
  await node.etcd.put('/nodelet/test', 'hello');
  assert.equal(await node.etcd.get('/nodelet/test'), 'hello');
  assert.equal(await node.etcd.get('/nodelet/absent'), undefined);

  const f = footprint(node, [node.dockerd.daemon.pid, node.etcd.daemon.pid]);
  await node.dispose();
  await assertNothingLeft(f);
});

test('containers still running under containerd are removed with the node', async () => {
  const node = await startTestNode();
  after(() => node.dispose());
  const sleeper = await runSleeper(node, 'sleeper');

  const f = footprint(node, [sleeper]);
  await node.dispose();
  await assertNothingLeft(f);
});

test('shims and containers are swept even when containerd died first', async () => {
  const node = await startTestNode();
  after(() => node.dispose());
  const sleeper = await runSleeper(node, 'orphan');

  process.kill(node.containerd.daemon.pid, 'SIGKILL');
  await node.containerd.daemon.exited;
  assert.ok(!(await isGone(sleeper)), 'the container outlives containerd');

  const f = footprint(node, [sleeper]);
  await node.dispose();
  await assertNothingLeft(f);
});
