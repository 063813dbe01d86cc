import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildContainerResources,
  containerOomScoreAdj,
  milliCpuToQuota,
  milliCpuToShares,
} from '../../../../src/agent/runtime-config/resources.js';
import { makePod, withResources as r } from './fixtures.js';

const GI = 1024 ** 3;

// pkg/kubelet/cm MilliCPUToShares.
test('milliCpuToShares: minimum 2, 1024 per core, maximum 262144', () => {
  const cases: Array<[number, number]> = [[0, 2], [1, 2], [2, 2], [100, 102], [250, 256], [1000, 1024], [1500, 1536], [300000, 262144]];
  for (const [milli, want] of cases) assert.equal(milliCpuToShares(milli), want, String(milli));
});

// kuberuntime milliCPUToQuota.
test('milliCpuToQuota: none for 0, at least 1000 us', () => {
  const cases: Array<[number, number]> = [[0, 0], [5, 1000], [10, 1000], [20, 2000], [250, 25000], [1000, 100000], [1500, 150000]];
  for (const [milli, want] of cases) assert.equal(milliCpuToQuota(milli, 100000), want, String(milli));
});

// pkg/kubelet/qos GetContainerOOMScoreAdjust (policy_test.go).
test('containerOomScoreAdj per QoS class', () => {
  const cap = 4 * GI;
  const guaranteed = makePod({ containers: [r('a', { cpu: '1', memory: '1Gi' })] });
  const best = makePod({ containers: [r('a')] });
  const burst = (mem: string) => makePod({ containers: [r('a', undefined, { memory: mem })] });
  const cases: Array<[string, ReturnType<typeof makePod>, number]> = [
    ['guaranteed', guaranteed, -997],
    ['best effort', best, 1000],
    ['burstable 10% of memory', burst(String((4 * GI) / 10)), 900],
    ['burstable 25%', burst('1Gi'), 750],
    ['burstable all memory → 3', burst('4Gi'), 3],
    ['burstable over capacity → 3', burst('8Gi'), 3],
    ['burstable tiny request → 999', burst('1'), 999],
    ['burstable cpu only → 999', makePod({ containers: [r('a', undefined, { cpu: '1' })] }), 999],
  ];
  for (const [name, pod, want] of cases) {
    const c = pod.spec.containers[0];
    assert.ok(c);
    assert.equal(containerOomScoreAdj(pod, c, cap), want, name);
  }
});

test('containerOomScoreAdj: node-critical static pods are treated as guaranteed (IsNodeCriticalPod)', () => {
  const pod = makePod({ containers: [r('a')], priorityClassName: 'system-node-critical' }, { annotations: { 'kubernetes.io/config.source': 'file' } });
  const c = pod.spec.containers[0];
  assert.ok(c);
  assert.equal(containerOomScoreAdj(pod, c, GI), -997);
  const apiPod = makePod({ containers: [r('a')], priorityClassName: 'system-node-critical' });
  assert.equal(containerOomScoreAdj(apiPod, c, GI), 1000);
  const highPriority = makePod({ containers: [r('a')], priorityClassName: 'system-node-critical', priority: 2000001000 });
  assert.equal(containerOomScoreAdj(highPriority, c, GI), -997);
});

// kuberuntime calculateLinuxResources.
test('buildContainerResources maps requests and limits (calculateLinuxResources)', () => {
  const cases: Array<[string, ReturnType<typeof r>, object]> = [
    ['nothing set', r('a'), { cpuShares: 2, cpuPeriod: 100000, cpuQuota: 0, oomScoreAdj: 1000 }],
    [
      'limits only: shares from the limit',
      r('a', { cpu: '500m', memory: '128Mi' }),
      { cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 134217728, oomScoreAdj: -997 },
    ],
    [
      'request and limit',
      r('a', { cpu: '2' }, { cpu: '250m', memory: '1Gi' }),
      { cpuShares: 256, cpuPeriod: 100000, cpuQuota: 200000, oomScoreAdj: 750 },
    ],
  ];
  for (const [name, container, want] of cases) {
    const pod = makePod({ containers: [container] });
    assert.deepEqual(buildContainerResources(pod, container, { memoryCapacity: 4 * GI }), want, name);
  }
});

test('buildContainerResources clamps the OOM score to the floor the agent can set', () => {
  const c = r('a', { cpu: '1', memory: '1Gi' });
  const pod = makePod({ containers: [c] });
  assert.equal(buildContainerResources(pod, c, { memoryCapacity: GI }).oomScoreAdj, -997);
  assert.equal(buildContainerResources(pod, c, { memoryCapacity: GI, minOomScoreAdj: 0 }).oomScoreAdj, 0);
  const be = r('b');
  const bePod = makePod({ containers: [be] });
  assert.equal(buildContainerResources(bePod, be, { memoryCapacity: GI, minOomScoreAdj: 500 }).oomScoreAdj, 1000);
  const noQuota = buildContainerResources(pod, c, { memoryCapacity: GI, cpuCfsQuota: false });
  assert.equal(noQuota.cpuQuota, undefined);
  assert.equal(noQuota.cpuPeriod, undefined);
});
