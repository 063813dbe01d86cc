import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, RestartPolicy } from '../../../src/api/pod-types.js';
import { computePodActions, podFinished } from '../../../src/agent/pod-actions.js';
import type { ContainerRuntimeState, PodRuntimeState, SandboxState } from '../../../src/agent/runtime-state.js';

function pod(opts: { restartPolicy?: RestartPolicy; init?: string[]; app?: string[]; hostNetwork?: boolean } = {}): Pod {
  const c = (name: string): Container => ({ name, image: 'nodelet.local/busybox:1.35' });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u1' },
    spec: {
      containers: (opts.app ?? ['app']).map(c),
      ...(opts.init === undefined ? {} : { initContainers: opts.init.map(c) }),
      ...(opts.restartPolicy === undefined ? {} : { restartPolicy: opts.restartPolicy }),
      ...(opts.hostNetwork === undefined ? {} : { hostNetwork: opts.hostNetwork }),
    },
  };
}
const sandbox = (id = 's1', attempt = 0, ready = true, ips = ['10.88.0.5']): SandboxState => ({ id, attempt, ready, createdAt: BigInt(attempt + 1), ips });
let seq = 0;
function ctr(name: string, state: ContainerRuntimeState['state'], extra: Partial<ContainerRuntimeState> = {}): ContainerRuntimeState {
  seq++;
  return {
    id: `c${seq}`, name, attempt: 0, sandboxId: 's1', state, createdAt: BigInt(1000 - seq), startedAt: 1n, finishedAt: 5_000_000_000n,
    exitCode: 0, reason: '', message: '', image: 'img', imageRef: 'sha256:x', hash: 'h', restartCount: 0, type: 'app', ...extra,
  };
}
const rt = (sandboxes: SandboxState[], containers: ContainerRuntimeState[]): PodRuntimeState => ({ uid: 'u1', name: 'p', namespace: 'default', sandboxes, containers });
const plan = (p: Pod, r: PodRuntimeState | undefined, backoffMs = 0) =>
  computePodActions({ pod: p, runtime: r, hashOf: () => 'h', backoffRemaining: () => backoffMs });

test('a new pod gets a sandbox (attempt 0) and starts its app containers', () => {
  const a = plan(pod({ app: ['a', 'b'] }), undefined);
  assert.deepEqual(a.createSandbox, { attempt: 0 });
  assert.deepEqual(a.start.map((s) => [s.name, s.type, s.restartCount]), [['a', 'app', 0], ['b', 'app', 0]]);
});

test('a new pod with init containers starts only the first init container', () => {
  const a = plan(pod({ init: ['i1', 'i2'] }), undefined);
  assert.deepEqual(a.start.map((s) => [s.name, s.type]), [['i1', 'init']]);
});

test('init containers run in order, app containers after the last one succeeded', () => {
  const p = pod({ init: ['i1', 'i2'] });
  let a = plan(p, rt([sandbox()], [ctr('i1', 'exited', { type: 'init' })]));
  assert.deepEqual(a.start.map((s) => s.name), ['i2']);
  a = plan(p, rt([sandbox()], [ctr('i1', 'running', { type: 'init' })]));
  assert.deepEqual(a.start, []);
  a = plan(p, rt([sandbox()], [ctr('i2', 'exited', { type: 'init' }), ctr('i1', 'exited', { type: 'init' })]));
  assert.deepEqual(a.start.map((s) => [s.name, s.type]), [['app', 'app']]);
});

test('a failed init container restarts (Always) or fails the pod (Never)', () => {
  const failed = () => rt([sandbox()], [ctr('i1', 'exited', { type: 'init', exitCode: 1, restartCount: 2 })]);
  const a = plan(pod({ init: ['i1'] }), failed());
  assert.deepEqual(a.start.map((s) => [s.name, s.restartCount]), [['i1', 3]]);
  const b = plan(pod({ init: ['i1'], restartPolicy: 'Never' }), failed());
  assert.equal(b.initFailed, 'i1');
  assert.deepEqual(b.start, []);
});

test('a running container with the same spec hash is kept (restart adoption)', () => {
  const a = plan(pod(), rt([sandbox()], [ctr('app', 'running')]));
  assert.equal(a.createSandbox, undefined);
  assert.deepEqual(a.kill, []);
  assert.deepEqual(a.start, []);
});

test('a running container whose spec hash changed is killed and started again', () => {
  const a = plan(pod(), rt([sandbox()], [ctr('app', 'running', { hash: 'old' })]));
  assert.equal(a.kill.length, 1);
  assert.deepEqual(a.start.map((s) => [s.name, s.restartCount]), [['app', 1]]);
});

test('restart policies decide about an exited container', () => {
  const exited = (code: number) => rt([sandbox()], [ctr('app', 'exited', { exitCode: code })]);
  assert.equal(plan(pod(), exited(0)).start.length, 1, 'Always restarts a success');
  assert.equal(plan(pod({ restartPolicy: 'OnFailure' }), exited(0)).start.length, 0);
  assert.equal(plan(pod({ restartPolicy: 'OnFailure' }), exited(2)).start.length, 1);
  assert.equal(plan(pod({ restartPolicy: 'Never' }), exited(2)).start.length, 0);
});

test('a crashed container in back-off waits instead of starting', () => {
  const a = plan(pod(), rt([sandbox()], [ctr('app', 'exited', { exitCode: 1 })]), 7000);
  assert.deepEqual(a.start, []);
  assert.equal(a.backoff.get('app')?.remainingMs, 7000);
});

test('a dead sandbox is replaced with the next attempt and its containers are killed', () => {
  const a = plan(pod(), rt([sandbox('s1', 3, false)], [ctr('app', 'running', { restartCount: 4 })]));
  assert.deepEqual(a.createSandbox, { attempt: 4 });
  assert.equal(a.kill.length, 1);
  assert.deepEqual(a.start.map((s) => s.restartCount), [5]);
});

test('a sandbox without an IP is replaced, unless the pod uses the host network', () => {
  assert.deepEqual(plan(pod(), rt([sandbox('s1', 0, true, [])], [])).createSandbox, { attempt: 1 });
  assert.equal(plan(pod({ hostNetwork: true }), rt([sandbox('s1', 0, true, [])], [])).createSandbox, undefined);
});

test('a Never pod whose containers ran gets no second sandbox', () => {
  const a = plan(pod({ restartPolicy: 'Never' }), rt([sandbox('s1', 0, false)], [ctr('app', 'exited', { exitCode: 0 })]));
  assert.equal(a.createSandbox, undefined);
  assert.deepEqual(a.start, []);
});

test('podFinished: every app container exited and none may restart', () => {
  const done = rt([sandbox()], [ctr('app', 'exited', { exitCode: 1 })]);
  assert.equal(podFinished(pod({ restartPolicy: 'Never' }), done), true);
  assert.equal(podFinished(pod({ restartPolicy: 'OnFailure' }), done), false);
  assert.equal(podFinished(pod(), done), false);
  assert.equal(podFinished(pod({ restartPolicy: 'Never', app: ['app', 'b'] }), done), false);
});

test('a new sandbox under OnFailure does not rerun a container that succeeded', () => {
  const a = plan(pod({ restartPolicy: 'OnFailure', app: ['done', 'failed'] }), rt([sandbox('s1', 0, false)], [ctr('done', 'exited', { exitCode: 0 }), ctr('failed', 'exited', { exitCode: 1 })]));
  assert.deepEqual(a.createSandbox, { attempt: 1 });
  assert.deepEqual(a.start.map((s) => s.name), ['failed']);
});

test('a Never pod whose init containers ran gets no second sandbox', () => {
  const a = plan(pod({ restartPolicy: 'Never', init: ['i1'] }), rt([sandbox('s1', 0, false)], [ctr('i1', 'exited', { type: 'init', exitCode: 1 })]));
  assert.equal(a.createSandbox, undefined);
  assert.deepEqual(a.start, []);
});
