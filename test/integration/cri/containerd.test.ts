// The CRI client against a real containerd (with runc, CNI and the loopback registry) in a test node.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CriClient } from '../../../src/cri/client.js';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import type { ContainerStatus } from '../../../src/cri/replies.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from '../../harness/images.js';
import { startTestNode, type TestNode } from '../../harness/testnode.js';
import { podConfig, shellContainer } from './fixtures.js';

let node: TestNode;
let cri: CriClient;
let logRoot: string;

before(async () => {
  node = await startTestNode();
  cri = node.add(new CriClient({ endpoint: node.containerd.socketPath, timeoutMs: 60_000 }));
  logRoot = node.tmp.join('pods');
});
after(async () => {
  await node?.dispose();
});

/** Polls ContainerStatus until `done` holds; bounded to 100 polls of 100 ms. */
async function waitForContainer(id: string, done: (s: ContainerStatus) => boolean): Promise<ContainerStatus> {
  let last: ContainerStatus | undefined;
  for (let i = 0; i < 100; i++) {
    last = (await cri.containerStatus(id)).status;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`container ${id} never reached the expected state; last: ${last?.state}`);
}

describe('CRI client on containerd', () => {
  test('Version and Status report a ready runtime and network', async () => {
    const v = await cri.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.match(v.runtimeVersion, /^1\./);
    const st = await cri.status();
    const ready = new Map(st.conditions.map((c) => [c.type, c.status]));
    assert.equal(ready.get('RuntimeReady'), true);
    assert.equal(ready.get('NetworkReady'), true);
  });

  test('PullImage from the loopback registry, then ImageStatus/ListImages show it, RemoveImage removes it', async () => {
    assert.equal(await cri.imageStatus(BUSYBOX_IMAGE.ref), null, 'a fresh node has no busybox image');
    const ref = await cri.pullImage(BUSYBOX_IMAGE.ref);
    assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    const img = await cri.imageStatus(BUSYBOX_IMAGE.ref);
    assert.ok(img, 'the pulled image has a status');
    assert.equal(img.id, ref);
    assert.ok(img.repoTags.includes(BUSYBOX_IMAGE.ref), `repoTags ${img.repoTags.join(',')}`);
    assert.ok(img.repoDigests.some((d) => d.startsWith('nodelet.local/busybox@sha256:')), `repoDigests ${img.repoDigests.join(',')}`);
    assert.ok(img.size > 500_000, 'busybox-static is over half a megabyte');
    const all = await cri.listImages();
    assert.ok(all.some((i) => i.id === ref));
    await cri.removeImage(BUSYBOX_IMAGE.ref);
    assert.equal(await cri.imageStatus(BUSYBOX_IMAGE.ref), null);
    await cri.removeImage(BUSYBOX_IMAGE.ref); // idempotent
    await cri.pullImage(BUSYBOX_IMAGE.ref); // for the tests below
  });

  test('a pod: sandbox with a CNI IP, a container that logs, ExecSync, exit status, stop and remove', async () => {
    const pod = podConfig({ name: 'web', logRoot, cgroupParent: node.cgroupParent, labels: { app: 'web' } });
    const podId = await cri.runPodSandbox(pod.config);
    const sandbox = (await cri.podSandboxStatus(podId)).status;
    assert.equal(sandbox.state, 'SANDBOX_READY');
    assert.equal(sandbox.metadata.uid, pod.uid);
    assert.ok(sandbox.network, 'a sandbox on the pod network has network status');
    assert.match(sandbox.network.ip, /^10\.88\.\d+\.\d+$/, `pod IP ${sandbox.network.ip} is in the bridge subnet`);
    assert.ok(await cri.imageStatus(PAUSE_IMAGE.ref), 'the sandbox image was pulled from the registry');

    const mainId = await cri.createContainer(
      podId,
      shellContainer('main', 'echo "$GREETING"; echo to-stderr >&2; exec sleep 1000', { role: 'main' }),
      pod.config,
    );
    await cri.startContainer(mainId);
    const running = await waitForContainer(mainId, (s) => s.state === 'CONTAINER_RUNNING');
    assert.ok(running.startedAt > 0n);
    assert.equal(running.logPath, path.join(pod.config.logDirectory ?? '', 'main', '0.log'));

    // ExecSync: output, exit code, and a timeout that ends a command which would run for long.
    const hi = await cri.execSync(mainId, ['/bin/sh', '-c', 'echo hi; echo oops >&2; hostname'], 10);
    assert.equal(hi.stdout.toString(), 'hi\nweb\n');
    assert.equal(hi.stderr.toString(), 'oops\n');
    assert.equal(hi.exitCode, 0);
    assert.equal((await cri.execSync(mainId, ['/bin/sh', '-c', 'exit 7'], 10)).exitCode, 7);
    const started = Date.now();
    const slow = await cri.execSync(mainId, ['/bin/sleep', '60'], 1).then(
      (r) => ({ ok: true as const, r }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    assert.ok(Date.now() - started < 30_000, 'ExecSync returned long before the 60 s command would end');
    if (slow.ok) assert.notEqual(slow.r.exitCode, 0, 'a timed-out exec does not report success');
    else assert.ok(isNodeletError(slow.err, ErrorCode.DeadlineExceeded), `timeout error: ${String(slow.err)}`);

    // The container's log in CRI format: "<RFC3339Nano> <stream> <P|F> <line>".
    let logText = '';
    for (let i = 0; i < 50 && !logText.includes('to-stderr'); i++) {
      logText = await readFile(running.logPath, 'utf8').catch(() => '');
      if (!logText.includes('to-stderr')) await new Promise((r) => setTimeout(r, 100));
    }
    const lines = logText.trimEnd().split('\n');
    const parsed = lines.map((l) => /^(\S+) (stdout|stderr) (F|P) (.*)$/.exec(l));
    assert.ok(parsed.every((m) => m !== null), `every log line is in CRI format:\n${logText}`);
    const entries = parsed.flatMap((m) => (m ? [{ time: m[1] ?? '', stream: m[2], tag: m[3], text: m[4] }] : []));
    // stdout and stderr are separate pipes, so their relative order in the file is not fixed.
    assert.deepEqual(
      entries.map((e) => [e.stream, e.tag, e.text]).sort(),
      [
        ['stderr', 'F', 'to-stderr'],
        ['stdout', 'F', 'hello from nodelet'],
      ],
    );
    for (const e of entries) {
      assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d)$/);
      assert.ok(Math.abs(Date.parse(e.time) - Date.now()) < 10 * 60_000, 'log timestamps are current');
    }

    // A container that exits with a code: its status says so.
    const failId = await cri.createContainer(podId, shellContainer('fail', 'exit 3', { role: 'fail' }), pod.config);
    await cri.startContainer(failId);
    const exited = await waitForContainer(failId, (s) => s.state === 'CONTAINER_EXITED');
    assert.equal(exited.exitCode, 3);
    assert.equal(exited.reason, 'Error');
    // containerd stamps startedAt after the task starts, so a quick exit can precede it.
    assert.ok(exited.startedAt > 0n && exited.finishedAt > 0n, `startedAt ${exited.startedAt}, finishedAt ${exited.finishedAt}`);

    // List with filters: by label, by state, by sandbox.
    const byRole = await cri.listContainers({ labelSelector: { role: 'main' } });
    assert.deepEqual(byRole.map((c) => c.id), [mainId]);
    const exitedList = await cri.listContainers({ podSandboxId: podId, state: 'CONTAINER_EXITED' });
    assert.deepEqual(exitedList.map((c) => c.id), [failId]);
    const inPod = await cri.listContainers({ podSandboxId: podId });
    assert.deepEqual(inPod.map((c) => c.id).sort(), [mainId, failId].sort());
    const sandboxes = await cri.listPodSandbox({ labelSelector: { app: 'web' } });
    assert.deepEqual(sandboxes.map((s) => s.id), [podId]);
    assert.deepEqual(await cri.listPodSandbox({ labelSelector: { app: 'nothing-has-this' } }), []);

    // Stop and remove: the container stops (sleep dies on SIGTERM), then everything goes away.
    await cri.stopContainer(mainId, 5);
    const stopped = await waitForContainer(mainId, (s) => s.state === 'CONTAINER_EXITED');
    assert.ok(stopped.finishedAt > 0n);
    await cri.removeContainer(mainId);
    await cri.removeContainer(failId);
    await cri.stopPodSandbox(podId);
    assert.equal((await cri.podSandboxStatus(podId)).status.state, 'SANDBOX_NOTREADY');
    await cri.removePodSandbox(podId);
    assert.deepEqual(await cri.listContainers({ podSandboxId: podId }), []);
    assert.deepEqual(await cri.listPodSandbox({ id: podId }), []);
    // Idempotent on what is gone, as the CRI spec asks.
    await cri.stopPodSandbox(podId);
    await cri.removePodSandbox(podId);
    await cri.removeContainer(mainId);
  });

  test('calls on a missing id give NotFound', async () => {
    const missing = 'f'.repeat(64);
    for (const call of [
      () => cri.containerStatus(missing),
      () => cri.podSandboxStatus(missing),
      () => cri.startContainer(missing),
      () => cri.execSync(missing, ['true'], 5),
    ]) {
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(isNodeletError(err, ErrorCode.NotFound), `expected NotFound, got ${String(err)}`);
        return true;
      });
    }
  });

  test('a dead socket gives Unavailable within the deadline', async () => {
    const dead = new CriClient({ endpoint: `unix://${node.tmp.join('nothing-listens.sock')}`, timeoutMs: 5_000 });
    try {
      const started = Date.now();
      await assert.rejects(dead.version(), (err: unknown) => isNodeletError(err, ErrorCode.Unavailable));
      assert.ok(Date.now() - started <= 5_000 + 1_000, 'failed within the deadline');
    } finally {
      dead.dispose();
    }
  });
});
