import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeReader } from '../../../src/agent/runtime-reader.js';
import { PodChanges } from '../../../src/agent/pod-changes.js';
import { PodLabel } from '../../../src/agent/labels.js';
import type { Runtime } from '../../../src/cri/runtime.js';
import type { PodSandbox } from '../../../src/cri/replies.js';

/** A runtime with sandboxes only; list calls can be held to interleave reads and changes. */
function fakeRuntime() {
  const sandboxes: PodSandbox[] = [];
  const calls: string[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const runtime = {
    listPodSandbox: async () => {
      calls.push('ListPodSandbox');
      const snapshot = [...sandboxes];
      if (gate !== undefined) await gate;
      return snapshot;
    },
    listContainers: async () => {
      calls.push('ListContainers');
      return [];
    },
    podSandboxStatus: async (id: string) => {
      calls.push(`PodSandboxStatus ${id}`);
      return { status: { network: { ip: '10.0.0.1', additionalIps: [] } } };
    },
    stopPodSandbox: async (id: string) => {
      calls.push(`StopPodSandbox ${id}`);
    },
  };
  return {
    runtime: runtime as unknown as Runtime,
    calls,
    add(uid: string, id: string) {
      sandboxes.push({ id, labels: { [PodLabel.uid]: uid }, state: 'SANDBOX_READY', metadata: { name: 'p', namespace: 'ns', uid, attempt: 0 }, createdAt: 1n, annotations: {}, runtimeHandler: '' });
    },
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open?.();
    },
  };
}

test('a relist fills the cache; a change made after it hides the cached state until the next read', async () => {
  const f = fakeRuntime();
  f.add('a', 's1');
  const reader = new RuntimeReader({ runtime: f.runtime });
  assert.equal(reader.cachedPod('a'), undefined);
  await reader.readAll();
  assert.equal(reader.cachedPod('a')?.state?.sandboxes[0]?.id, 's1');
  await new PodChanges(f.runtime, reader, 'a').stopPodSandbox('s1');
  assert.equal(reader.cachedPod('a'), undefined);
  await reader.readPod('a');
  assert.equal(reader.cachedPod('a')?.state?.sandboxes[0]?.id, 's1');
});

test('a relist that started before a change ended is not served for that pod', async () => {
  const f = fakeRuntime();
  f.add('a', 's1');
  const reader = new RuntimeReader({ runtime: f.runtime });
  f.hold();
  const relist = reader.readAll();
  await new PodChanges(f.runtime, reader, 'a').stopPodSandbox('s1');
  f.release();
  await relist;
  assert.equal(reader.cachedPod('a'), undefined);
});

test('a relist drops older cached states of pods it did not find; an empty read is cached as such', async () => {
  const f = fakeRuntime();
  f.add('a', 's1');
  const reader = new RuntimeReader({ runtime: f.runtime });
  await reader.readPod('a');
  assert.ok(reader.cachedPod('a') !== undefined);
  f.hold();
  const late = reader.readPod('b');
  f.release();
  await reader.readAll();
  await late;
  assert.equal(reader.cachedPod('b'), undefined);
  const empty = new RuntimeReader({ runtime: fakeRuntime().runtime });
  await empty.readPod('gone');
  assert.deepEqual(empty.cachedPod('gone'), { state: undefined });
});

test('a started sandbox IP is remembered: the next read asks no PodSandboxStatus', async () => {
  const f = fakeRuntime();
  f.add('a', 's1');
  const reader = new RuntimeReader({ runtime: f.runtime });
  reader.sandboxStarted('s1', ['10.0.0.9']);
  const pod = await reader.readPod('a');
  assert.deepEqual(pod?.sandboxes[0]?.ips, ['10.0.0.9']);
  assert.ok(!f.calls.some((c) => c.startsWith('PodSandboxStatus')));
});

test('a pod is known absent only after a relist that began after its last change found nothing', async () => {
  const f = fakeRuntime();
  f.add('a', 's1');
  const reader = new RuntimeReader({ runtime: f.runtime });
  // No relist yet: nothing is known.
  assert.equal(reader.knownAbsent('new'), false);
  await reader.readAll();
  assert.equal(reader.knownAbsent('new'), true);
  assert.equal(reader.knownAbsent('a'), false, 'the relist found a');
  // A change of a pod that the relist did not see (its sandbox was being made) must be read.
  f.add('new', 's2');
  await new PodChanges(f.runtime, reader, 'new').stopPodSandbox('s2');
  assert.equal(reader.knownAbsent('new'), false);
  // A change that ends while a relist is under way: that relist does not vouch for the pod.
  f.hold();
  const relist = reader.readAll();
  await new PodChanges(f.runtime, reader, 'other').stopPodSandbox('s3');
  f.release();
  await relist;
  assert.equal(reader.knownAbsent('other'), false);
  assert.equal(reader.knownAbsent('new'), false, 'the relist found new');
});
