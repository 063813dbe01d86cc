import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEADLINE_EXCEEDED, generatePodStatus, type PodFacts } from '../../../../src/agent/status/generate.js';
import type { ContainerRuntimeState, PodRuntimeState, SandboxState } from '../../../../src/agent/runtime-state.js';
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus, RestartPolicy } from '../../../../src/api/pod-types.js';

const NOW = '2024-05-01T10:00:00Z';
const T0 = 1_714_557_600_000_000_000n; // 2024-05-01T10:00:00Z in ns
const sec = (s: number): bigint => T0 + BigInt(s) * 1_000_000_000n;
const at = (s: number): string => new Date(Number(sec(s) / 1_000_000n)).toISOString().replace('.000Z', 'Z');

function pod(opts: { containers?: string[]; init?: string[]; restartPolicy?: RestartPolicy; deleting?: boolean; status?: PodStatus } = {}): Pod {
  const c = (name: string): Container => ({ name, image: `img/${name}:1` });
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1' },
    spec: { containers: (opts.containers ?? ['app']).map(c), restartPolicy: opts.restartPolicy ?? 'Always' },
  };
  if (opts.init !== undefined) p.spec.initContainers = opts.init.map(c);
  if (opts.deleting === true) p.metadata.deletionTimestamp = NOW;
  if (opts.status !== undefined) p.status = opts.status;
  return p;
}

function ctr(name: string, state: ContainerRuntimeState['state'], o: Partial<ContainerRuntimeState> = {}): ContainerRuntimeState {
  return {
    id: `${name}-${o.attempt ?? 0}`,
    name,
    attempt: 0,
    sandboxId: 'sb1',
    state,
    createdAt: sec(1 + (o.attempt ?? 0) * 10),
    startedAt: state === 'created' ? 0n : sec(2 + (o.attempt ?? 0) * 10),
    finishedAt: state === 'exited' ? sec(5 + (o.attempt ?? 0) * 10) : 0n,
    exitCode: 0,
    reason: '',
    message: '',
    image: `sha256:${name}`,
    imageRef: `img/${name}@sha256:abc`,
    hash: 'h',
    restartCount: o.attempt ?? 0,
    type: 'app',
    ...o,
  };
}

const sandbox: SandboxState = { id: 'sb1', attempt: 0, ready: true, createdAt: T0, ips: ['10.244.0.7'] };

function runtime(containers: ContainerRuntimeState[], sandboxes: SandboxState[] = [sandbox]): PodRuntimeState {
  return { uid: 'uid-1', name: 'web', namespace: 'ns', sandboxes, containers };
}

function facts(o: Partial<PodFacts> = {}): PodFacts {
  return { hostIP: '192.168.0.10', waiting: new Map(), readiness: new Map(), started: new Map(), ...o };
}

const cond = (s: PodStatus, type: string): PodCondition | undefined => s.conditions?.find((c) => c.type === type);
const cs = (s: PodStatus, name: string): ContainerStatus | undefined =>
  [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? [])].find((c) => c.name === name);

interface Case {
  name: string;
  pod: Pod;
  runtime?: PodRuntimeState;
  facts?: Partial<PodFacts>;
  phase: string;
  reason?: string;
  ready: 'True' | 'False';
  initialized?: 'True' | 'False';
  check?: (s: PodStatus) => void;
}

const cases: Case[] = [
  {
    name: 'nothing yet: ContainerCreating, Pending, sandbox not ready',
    pod: pod(),
    runtime: runtime([], []),
    facts: { sandboxPending: true },
    phase: 'Pending',
    ready: 'False',
    check: (s) => {
      assert.deepEqual(cs(s, 'app')?.state, { waiting: { reason: 'ContainerCreating' } });
      assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'False');
      assert.equal(cond(s, 'Ready')?.reason, 'ContainersNotReady');
      assert.equal(cond(s, 'Ready')?.message, 'containers with unready status: [app]');
      assert.equal(s.podIP, undefined);
      assert.equal(cs(s, 'app')?.imageID, '');
      assert.equal(cs(s, 'app')?.image, 'img/app:1');
    },
  },
  {
    name: 'running and ready',
    pod: pod(),
    runtime: runtime([ctr('app', 'running')]),
    phase: 'Running',
    ready: 'True',
    initialized: 'True',
    check: (s) => {
      const st = cs(s, 'app');
      assert.deepEqual(st?.state, { running: { startedAt: at(2) } });
      assert.equal(st?.containerID, 'containerd://app-0');
      assert.equal(st?.imageID, 'img/app@sha256:abc');
      assert.equal(st?.started, true);
      assert.equal(st?.ready, true);
      assert.equal(s.podIP, '10.244.0.7');
      assert.deepEqual(s.podIPs, [{ ip: '10.244.0.7' }]);
      assert.equal(s.hostIP, '192.168.0.10');
      assert.deepEqual(s.hostIPs, [{ ip: '192.168.0.10' }]);
      assert.equal(s.qosClass, 'BestEffort');
      assert.equal(s.startTime, NOW);
      assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'True');
      assert.equal(cond(s, 'PodScheduled')?.status, 'True');
    },
  },
  {
    name: 'running, readiness probe failing: not ready',
    pod: pod(),
    runtime: runtime([ctr('app', 'running')]),
    facts: { readiness: new Map([['app', false]]) },
    phase: 'Running',
    ready: 'False',
    check: (s) => assert.equal(cs(s, 'app')?.started, true),
  },
  {
    name: 'running, startup probe not yet passed: neither started nor ready',
    pod: pod(),
    runtime: runtime([ctr('app', 'running')]),
    facts: { started: new Map([['app', false]]), readiness: new Map([['app', true]]) },
    phase: 'Running',
    ready: 'False',
    check: (s) => assert.equal(cs(s, 'app')?.started, false),
  },
  {
    name: 'CrashLoopBackOff: waiting with the last run in lastState',
    pod: pod(),
    runtime: runtime([ctr('app', 'exited', { attempt: 2, exitCode: 1 }), ctr('app', 'exited', { attempt: 1, exitCode: 1 })]),
    facts: { waiting: new Map([['app', { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_ns(uid-1)' }]]) },
    phase: 'Running',
    ready: 'False',
    check: (s) => {
      const st = cs(s, 'app');
      assert.deepEqual(st?.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=app pod=web_ns(uid-1)' } });
      assert.deepEqual(st?.lastState, {
        terminated: { exitCode: 1, reason: 'Error', startedAt: at(22), finishedAt: at(25), containerID: 'containerd://app-2' },
      });
      assert.equal(st?.restartCount, 2);
      assert.equal(st?.containerID, 'containerd://app-2');
    },
  },
  {
    name: 'restart pending without a fact: terminated state, previous run in lastState',
    pod: pod(),
    runtime: runtime([ctr('app', 'exited', { attempt: 1, exitCode: 2 }), ctr('app', 'exited', { attempt: 0, exitCode: 3 })]),
    phase: 'Running',
    ready: 'False',
    check: (s) => {
      assert.equal(cs(s, 'app')?.state.terminated?.exitCode, 2);
      assert.equal(cs(s, 'app')?.lastState.terminated?.exitCode, 3);
    },
  },
  {
    name: 'restartPolicy Never, exit 0: Succeeded (Completed)',
    pod: pod({ restartPolicy: 'Never' }),
    runtime: runtime([ctr('app', 'exited', { exitCode: 0 })]),
    phase: 'Succeeded',
    ready: 'False',
    check: (s) => {
      assert.equal(cs(s, 'app')?.state.terminated?.reason, 'Completed');
      assert.equal(cond(s, 'Ready')?.reason, 'PodCompleted');
      assert.equal(cond(s, 'Initialized')?.reason, 'PodCompleted');
    },
  },
  {
    name: 'restartPolicy Never, exit 1: Failed (Error); a waiting fact does not apply',
    pod: pod({ restartPolicy: 'Never' }),
    runtime: runtime([ctr('app', 'exited', { exitCode: 1 })]),
    facts: { waiting: new Map([['app', { reason: 'CrashLoopBackOff' }]]) },
    phase: 'Failed',
    ready: 'False',
    check: (s) => {
      assert.equal(cs(s, 'app')?.state.terminated?.reason, 'Error');
      assert.equal(cond(s, 'Ready')?.reason, 'PodFailed');
    },
  },
  {
    name: 'restartPolicy OnFailure, all exit 0: Succeeded',
    pod: pod({ restartPolicy: 'OnFailure', containers: ['a', 'b'] }),
    runtime: runtime([ctr('a', 'exited'), ctr('b', 'exited')]),
    phase: 'Succeeded',
    ready: 'False',
  },
  {
    name: 'restartPolicy OnFailure, one failed: Running (restarting)',
    pod: pod({ restartPolicy: 'OnFailure', containers: ['a', 'b'] }),
    runtime: runtime([ctr('a', 'exited'), ctr('b', 'exited', { exitCode: 1 })]),
    phase: 'Running',
    ready: 'False',
    check: (s) => assert.equal(cond(s, 'Ready')?.message, 'containers with unready status: [a b]'),
  },
  {
    name: 'restartPolicy Always, all exit 0: still Running',
    pod: pod(),
    runtime: runtime([ctr('app', 'exited')]),
    phase: 'Running',
    ready: 'False',
  },
  {
    name: 'terminal pod (deleted and stopped), restartPolicy Always: Succeeded',
    pod: pod({ deleting: true }),
    runtime: runtime([ctr('app', 'exited')]),
    facts: { podIsTerminal: true },
    phase: 'Succeeded',
    ready: 'False',
  },
  {
    name: 'OOMKilled keeps the runtime reason',
    pod: pod({ restartPolicy: 'Never' }),
    runtime: runtime([ctr('app', 'exited', { exitCode: 137, reason: 'OOMKilled' })]),
    phase: 'Failed',
    ready: 'False',
    check: (s) => assert.deepEqual(cs(s, 'app')?.state.terminated?.reason, 'OOMKilled'),
  },
  {
    name: 'init containers in progress: PodInitializing, Initialized False',
    pod: pod({ init: ['i1', 'i2'] }),
    runtime: runtime([ctr('i1', 'exited', { type: 'init' }), ctr('i2', 'running', { type: 'init' })]),
    phase: 'Pending',
    ready: 'False',
    initialized: 'False',
    check: (s) => {
      assert.equal(cond(s, 'Initialized')?.reason, 'ContainersNotInitialized');
      assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [i2]');
      assert.deepEqual(cs(s, 'app')?.state, { waiting: { reason: 'PodInitializing' } });
      assert.deepEqual(s.initContainerStatuses?.map((c) => c.name), ['i1', 'i2']);
      assert.equal(cs(s, 'i1')?.ready, true);
      assert.equal(cs(s, 'i1')?.state.terminated?.reason, 'Completed');
      assert.equal(cs(s, 'i2')?.ready, false);
    },
  },
  {
    name: 'init containers not started: both incomplete',
    pod: pod({ init: ['i1', 'i2'] }),
    runtime: runtime([]),
    phase: 'Pending',
    ready: 'False',
    initialized: 'False',
    check: (s) => {
      assert.equal(cond(s, 'Initialized')?.message, 'containers with incomplete status: [i1 i2]');
      assert.deepEqual(cs(s, 'i1')?.state, { waiting: { reason: 'PodInitializing' } });
    },
  },
  {
    name: 'init done, app running: Initialized True',
    pod: pod({ init: ['i1'] }),
    runtime: runtime([ctr('i1', 'exited', { type: 'init' }), ctr('app', 'running')]),
    phase: 'Running',
    ready: 'True',
    initialized: 'True',
  },
  {
    name: 'init container failed, restartPolicy Never: Failed',
    pod: pod({ init: ['i1'], restartPolicy: 'Never' }),
    runtime: runtime([ctr('i1', 'exited', { type: 'init', exitCode: 1 })]),
    phase: 'Failed',
    ready: 'False',
    initialized: 'False',
  },
  {
    name: 'init container crash-looping, restartPolicy Always: Pending, Init:CrashLoopBackOff',
    pod: pod({ init: ['i1'] }),
    runtime: runtime([ctr('i1', 'exited', { type: 'init', exitCode: 1, attempt: 1 })]),
    facts: { waiting: new Map([['i1', { reason: 'CrashLoopBackOff' }]]) },
    phase: 'Pending',
    ready: 'False',
    initialized: 'False',
    check: (s) => {
      assert.deepEqual(cs(s, 'i1')?.state, { waiting: { reason: 'CrashLoopBackOff' } });
      assert.equal(cs(s, 'i1')?.lastState.terminated?.exitCode, 1);
      assert.equal(cs(s, 'i1')?.restartCount, 1);
    },
  },
  {
    name: 'completed init container ignores a stale waiting fact',
    pod: pod({ init: ['i1'] }),
    runtime: runtime([ctr('i1', 'exited', { type: 'init' })]),
    facts: { waiting: new Map([['i1', { reason: 'CrashLoopBackOff' }]]) },
    phase: 'Pending',
    ready: 'False',
    initialized: 'True',
    check: (s) => assert.equal(cs(s, 'i1')?.state.terminated?.reason, 'Completed'),
  },
  {
    name: 'ErrImagePull',
    pod: pod(),
    runtime: runtime([]),
    facts: { waiting: new Map([['app', { reason: 'ErrImagePull', message: 'failed to pull image "img/app:1": not found' }]]) },
    phase: 'Pending',
    ready: 'False',
    check: (s) => assert.deepEqual(cs(s, 'app')?.state, { waiting: { reason: 'ErrImagePull', message: 'failed to pull image "img/app:1": not found' } }),
  },
  {
    name: 'ImagePullBackOff',
    pod: pod(),
    runtime: runtime([]),
    facts: { waiting: new Map([['app', { reason: 'ImagePullBackOff', message: 'Back-off pulling image "img/app:1"' }]]) },
    phase: 'Pending',
    ready: 'False',
    check: (s) => assert.equal(cs(s, 'app')?.state.waiting?.reason, 'ImagePullBackOff'),
  },
  {
    name: 'CreateContainerConfigError',
    pod: pod(),
    runtime: runtime([]),
    facts: { waiting: new Map([['app', { reason: 'CreateContainerConfigError', message: 'configmap "cm" not found' }]]) },
    phase: 'Pending',
    ready: 'False',
    check: (s) => assert.deepEqual(cs(s, 'app')?.state.waiting, { reason: 'CreateContainerConfigError', message: 'configmap "cm" not found' }),
  },
  {
    name: 'DeadlineExceeded: Failed with reason and message',
    pod: pod(),
    runtime: runtime([ctr('app', 'running')]),
    facts: { podFailure: DEADLINE_EXCEEDED },
    phase: 'Failed',
    reason: 'DeadlineExceeded',
    ready: 'False',
    check: (s) => {
      assert.equal(s.message, 'Pod was active on the node longer than the specified deadline');
      assert.equal(cond(s, 'Ready')?.reason, 'PodFailed');
    },
  },
  {
    name: 'created but not started: waiting without reason, pod Pending',
    pod: pod(),
    runtime: runtime([ctr('app', 'created')]),
    phase: 'Pending',
    ready: 'False',
    check: (s) => assert.deepEqual(cs(s, 'app')?.state, { waiting: {} }),
  },
  {
    name: 'a terminal phase on the API object is never left',
    pod: pod({ status: { phase: 'Failed', reason: 'Evicted', message: 'gone' } }),
    runtime: runtime([ctr('app', 'running')]),
    phase: 'Failed',
    reason: 'Evicted',
    ready: 'False',
  },
];

for (const c of cases) {
  test(`generatePodStatus: ${c.name}`, () => {
    const s = generatePodStatus(c.pod, c.runtime, facts(c.facts), NOW);
    assert.equal(s.phase, c.phase);
    assert.equal(s.reason, c.reason);
    assert.equal(cond(s, 'Ready')?.status, c.ready);
    assert.equal(cond(s, 'ContainersReady')?.status, c.ready);
    if (c.initialized !== undefined) assert.equal(cond(s, 'Initialized')?.status, c.initialized);
    assert.deepEqual(
      s.conditions?.map((x) => x.type),
      ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'],
    );
    c.check?.(s);
  });
}

test('generatePodStatus: transition times and startTime kept while unchanged, moved on change', () => {
  const p = pod();
  const first = generatePodStatus(p, runtime([ctr('app', 'running')]), facts(), '2024-05-01T10:00:00Z');
  const later = '2024-05-01T10:05:00Z';
  const same = generatePodStatus(p, runtime([ctr('app', 'running')]), facts({ oldStatus: first }), later);
  assert.deepEqual(same, first);
  const unready = generatePodStatus(p, runtime([ctr('app', 'running')]), facts({ oldStatus: first, readiness: new Map([['app', false]]) }), later);
  assert.equal(cond(unready, 'Ready')?.lastTransitionTime, later);
  assert.equal(cond(unready, 'PodScheduled')?.lastTransitionTime, '2024-05-01T10:00:00Z');
  assert.equal(unready.startTime, '2024-05-01T10:00:00Z');
  assert.equal(cond(unready, 'Ready')?.lastProbeTime, null);
});

test('generatePodStatus: app statuses sorted by name, foreign conditions kept, custom runtime scheme', () => {
  const p = pod({ containers: ['web', 'sidecar'], status: { conditions: [{ type: 'DisruptionTarget', status: 'True' }] } });
  const s = generatePodStatus(p, runtime([ctr('web', 'running'), ctr('sidecar', 'running')]), facts(), NOW, { runtimeName: 'docker' });
  assert.deepEqual(s.containerStatuses?.map((c) => c.name), ['sidecar', 'web']);
  assert.equal(cs(s, 'web')?.containerID, 'docker://web-0');
  assert.equal(s.conditions?.[0]?.type, 'DisruptionTarget');
});

test('generatePodStatus: a container that was running and vanished is ContainerStatusUnknown (exit 137)', () => {
  const p = pod();
  const old = generatePodStatus(p, runtime([ctr('app', 'running', { restartCount: 3 })]), facts(), NOW);
  const s = generatePodStatus(p, runtime([ctr('app', 'unknown', { restartCount: 0 })]), facts({ oldStatus: old }), NOW);
  assert.equal(cs(s, 'app')?.state.terminated?.reason, 'ContainerStatusUnknown');
  assert.equal(cs(s, 'app')?.state.terminated?.exitCode, 137);
  assert.equal(cs(s, 'app')?.restartCount, 3);
});

test('generatePodStatus: a terminated status is kept when the runtime has forgotten the container; pod IPs kept', () => {
  const p = pod({ restartPolicy: 'Never' });
  const old = generatePodStatus(p, runtime([ctr('app', 'exited')]), facts(), NOW);
  const s = generatePodStatus(p, runtime([], []), facts({ oldStatus: old }), NOW);
  assert.equal(s.phase, 'Succeeded');
  assert.deepEqual(cs(s, 'app'), cs(old, 'app'));
  assert.equal(s.podIP, '10.244.0.7');
});

test('generatePodStatus: host network pod gets the host IP as pod IP; sandbox without IP not ready otherwise', () => {
  const p = pod();
  p.spec.hostNetwork = true;
  const noIp: SandboxState = { ...sandbox, ips: [] };
  const s = generatePodStatus(p, runtime([ctr('app', 'running')], [noIp]), facts(), NOW);
  assert.equal(s.podIP, '192.168.0.10');
  assert.equal(cond(s, 'PodReadyToStartContainers')?.status, 'True');
  const q = generatePodStatus(pod(), runtime([ctr('app', 'running')], [noIp]), facts(), NOW);
  assert.equal(cond(q, 'PodReadyToStartContainers')?.status, 'False');
});

test('generatePodStatus: QoS class from resources', () => {
  const p = pod();
  const [app] = p.spec.containers;
  assert.ok(app);
  app.resources = { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } };
  assert.equal(generatePodStatus(p, undefined, facts(), NOW).qosClass, 'Guaranteed');
  app.resources = { requests: { cpu: '100m' } };
  assert.equal(generatePodStatus(p, undefined, facts(), NOW).qosClass, 'Burstable');
});
