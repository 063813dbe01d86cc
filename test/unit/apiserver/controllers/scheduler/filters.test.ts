// The scheduler's filters as a table: a pod, a node (with what is bound to it), the reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFilters, requirementMatches, tolerates } from '../../../../../src/apiserver/controllers/scheduler/filters.js';
import type { SchedPod } from '../../../../../src/apiserver/controllers/scheduler/types.js';
import type { NodeInfo } from '../../../../../src/apiserver/controllers/scheduler/node-info.js';
import { nodeInfo, pod, podRequesting } from './fixtures.js';

const affinity = (terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } }) as never;
const hostPortPod = (name: string, hostPort: number, extra: Record<string, unknown> = {}) =>
  pod(name, { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort, ...extra }] }] } as never);
const noSchedule = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };

const cases: Array<{ name: string; pod: SchedPod; node: NodeInfo; want: string[] }> = [
  { name: 'plain pod on a plain node fits', pod: pod('p'), node: nodeInfo('n'), want: [] },
  { name: 'not ready', pod: pod('p'), node: nodeInfo('n', { ready: 'Unknown' }), want: ['node(s) were not ready'] },
  { name: 'cordoned', pod: pod('p'), node: nodeInfo('n', { unschedulable: true }), want: ['node(s) were unschedulable'] },
  {
    name: 'cordoned but tolerated',
    pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
    node: nodeInfo('n', { unschedulable: true }),
    want: [],
  },
  { name: 'NoSchedule taint untolerated', pod: pod('p'), node: nodeInfo('n', { taints: [noSchedule] }), want: ['node(s) had untolerated taint {dedicated: gpu}'] },
  {
    name: 'NoSchedule taint tolerated by Equal',
    pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
    node: nodeInfo('n', { taints: [noSchedule] }),
    want: [],
  },
  {
    name: 'toleration with the wrong value',
    pod: pod('p', { tolerations: [{ key: 'dedicated', value: 'cpu' }] }),
    node: nodeInfo('n', { taints: [noSchedule] }),
    want: ['node(s) had untolerated taint {dedicated: gpu}'],
  },
  {
    name: 'NoExecute taint needs a toleration too',
    pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoSchedule' }] }),
    node: nodeInfo('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
    want: ['node(s) had untolerated taint {dedicated: gpu}'],
  },
  { name: 'empty key with Exists tolerates all', pod: pod('p', { tolerations: [{ operator: 'Exists' }] }), node: nodeInfo('n', { taints: [noSchedule] }), want: [] },
  { name: 'PreferNoSchedule does not filter', pod: pod('p'), node: nodeInfo('n', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }), want: [] },
  { name: 'nodeSelector matches', pod: pod('p', { nodeSelector: { disk: 'ssd' } }), node: nodeInfo('n', { labels: { disk: 'ssd' } }), want: [] },
  { name: 'nodeSelector misses', pod: pod('p', { nodeSelector: { disk: 'ssd' } }), node: nodeInfo('n', { labels: { disk: 'hdd' } }), want: ["node(s) didn't match Pod's node affinity/selector"] },
  {
    name: 'affinity In on one of two terms',
    pod: pod('p', affinity([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }])),
    node: nodeInfo('n', { labels: { zone: 'b' } }),
    want: [],
  },
  {
    name: 'affinity Gt',
    pod: pod('p', affinity([{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }])),
    node: nodeInfo('n', { labels: { cores: '4' } }),
    want: ["node(s) didn't match Pod's node affinity/selector"],
  },
  {
    name: 'affinity matchFields metadata.name',
    pod: pod('p', affinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n'] }] }])),
    node: nodeInfo('n'),
    want: [],
  },
  { name: 'an empty term matches nothing', pod: pod('p', affinity([{}])), node: nodeInfo('n'), want: ["node(s) didn't match Pod's node affinity/selector"] },
  { name: 'host port free', pod: hostPortPod('p', 8080), node: nodeInfo('n', {}, [hostPortPod('q', 8081)]), want: [] },
  { name: 'host port taken', pod: hostPortPod('p', 8080), node: nodeInfo('n', {}, [hostPortPod('q', 8080)]), want: ["node(s) didn't have free ports for the requested pod ports"] },
  { name: 'host port on another protocol', pod: hostPortPod('p', 53, { protocol: 'UDP' }), node: nodeInfo('n', {}, [hostPortPod('q', 53)]), want: [] },
  { name: 'host port on distinct host IPs', pod: hostPortPod('p', 80, { hostIP: '10.0.0.1' }), node: nodeInfo('n', {}, [hostPortPod('q', 80, { hostIP: '10.0.0.2' })]), want: [] },
  { name: 'cpu fits exactly', pod: podRequesting('p', { cpu: '1' }), node: nodeInfo('n', { cpu: '2' }, [podRequesting('q', { cpu: '1000m' })]), want: [] },
  { name: 'cpu short', pod: podRequesting('p', { cpu: '1' }), node: nodeInfo('n', { cpu: '2' }, [podRequesting('q', { cpu: '1500m' })]), want: ['Insufficient cpu'] },
  {
    name: 'cpu and memory short',
    pod: podRequesting('p', { cpu: '3', memory: '2Gi' }),
    node: nodeInfo('n', { cpu: '2', memory: '1Gi' }),
    want: ['Insufficient cpu', 'Insufficient memory'],
  },
  { name: 'too many pods', pod: pod('p'), node: nodeInfo('n', { pods: '1' }, [pod('q')]), want: ['Too many pods'] },
  { name: 'extended resource missing', pod: podRequesting('p', { 'example.com/gpu': '1' }), node: nodeInfo('n'), want: ['Insufficient example.com/gpu'] },
  {
    name: 'the first failing filter wins (taint before resources)',
    pod: podRequesting('p', { cpu: '64' }),
    node: nodeInfo('n', { taints: [noSchedule] }),
    want: ['node(s) had untolerated taint {dedicated: gpu}'],
  },
];

for (const c of cases) {
  test(`filter: ${c.name}`, () => {
    assert.deepEqual(runFilters(c.pod, c.node), c.want);
  });
}

test('requirementMatches: every operator', () => {
  const r = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt', values: string[] = []) => ({ key: 'k', operator, values });
  assert.equal(requirementMatches(r('In', ['a']), 'a'), true);
  assert.equal(requirementMatches(r('In', ['a']), undefined), false);
  assert.equal(requirementMatches(r('NotIn', ['a']), undefined), true);
  assert.equal(requirementMatches(r('NotIn', ['a']), 'a'), false);
  assert.equal(requirementMatches(r('Exists'), ''), true);
  assert.equal(requirementMatches(r('DoesNotExist'), 'x'), false);
  assert.equal(requirementMatches(r('Gt', ['3']), '4'), true);
  assert.equal(requirementMatches(r('Gt', ['3']), 'x'), false);
  assert.equal(requirementMatches(r('Lt', ['3']), '-1'), true);
  assert.equal(requirementMatches(r('Lt', ['3']), undefined), false);
});

test('tolerates: effect and key wildcards', () => {
  const taint = { key: 'a', value: 'b', effect: 'NoExecute' as const };
  assert.equal(tolerates({ key: 'a', operator: 'Equal', value: 'b', effect: '' }, taint), true);
  assert.equal(tolerates({ key: 'a', operator: 'Equal', value: 'b', effect: 'NoSchedule' }, taint), false);
  assert.equal(tolerates({ key: '', operator: 'Exists', value: '', effect: 'NoExecute' }, taint), true);
  assert.equal(tolerates({ key: 'x', operator: 'Exists', value: '', effect: '' }, taint), false);
});
