// Decisions, scores, FitError messages, requests, and the cache and queue the loop relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, fitErrorMessage } from '../../../../../src/apiserver/controllers/scheduler/algorithm.js';
import { SchedulerCache } from '../../../../../src/apiserver/controllers/scheduler/cache.js';
import { parseNode, podRequests } from '../../../../../src/apiserver/controllers/scheduler/parse.js';
import { SchedulingQueue } from '../../../../../src/apiserver/controllers/scheduler/queue.js';
import { leastRequestedScore, reverseNormalize, scoreNodes, selectHost } from '../../../../../src/apiserver/controllers/scheduler/scores.js';
import { nodeInfo, nodeObject, pod, podRequesting } from './fixtures.js';

const first = () => 0;

test('fitErrorMessage: upstream wording, reasons sorted as strings', () => {
  const reasons = new Map([["node(s) didn't match Pod's node affinity/selector", 2], ['Insufficient cpu', 1]]);
  assert.equal(fitErrorMessage(3, reasons), "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
  assert.equal(fitErrorMessage(0, new Map()), 'no nodes available to schedule pods');
  // "10 x" sorts before "2 y", as Go's sort.Strings would.
  assert.equal(fitErrorMessage(12, new Map([['y', 2], ['x', 10]])), '0/12 nodes are available: 10 x, 2 y.');
});

test('decide: nothing fits gives the per-node histogram', () => {
  const nodes = [nodeInfo('a', { cpu: '1', labels: { disk: 'hdd' } }), nodeInfo('b', { labels: { disk: 'ssd' } }), nodeInfo('c')];
  const p = podRequesting('p', { cpu: '2' }, { nodeSelector: { disk: 'hdd' } });
  const d = decide(p, nodes, first);
  assert.equal(d.kind, 'unschedulable');
  assert.equal(d.kind === 'unschedulable' && d.message, "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.");
});

test('decide: least requested wins', () => {
  const busy = nodeInfo('busy', {}, [podRequesting('x', { cpu: '3', memory: '4Gi' })]);
  const idle = nodeInfo('idle');
  const d = decide(podRequesting('p', { cpu: '100m' }), [busy, idle], first);
  assert.deepEqual(d, { kind: 'fit', node: 'idle', feasible: 2 });
});

test('decide: a ReplicaSet spreads over equal nodes', () => {
  const owner = { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-1', controller: true }] };
  const sibling = pod('s', {}, { metadata: { name: 's', namespace: 'default', uid: 'u-s', ...owner } });
  const a = nodeInfo('a', {}, [sibling]);
  const b = nodeInfo('b', {}, [pod('other')]); // same load, no sibling
  const p = pod('p', {}, { metadata: { name: 'p', namespace: 'default', uid: 'u-p', ...owner } });
  assert.deepEqual(decide(p, [a, b], first), { kind: 'fit', node: 'b', feasible: 2 });
});

test('scores: PreferNoSchedule lowers a node, tolerations lift it', () => {
  const tainted = nodeInfo('t', { taints: [{ key: 'k', value: 'v', effect: 'PreferNoSchedule' }] });
  const clean = nodeInfo('c');
  const [t, c] = scoreNodes(pod('p'), [tainted, clean]);
  assert.ok(t !== undefined && c !== undefined && t < c);
  const [t2, c2] = scoreNodes(pod('p', { tolerations: [{ key: 'k', operator: 'Exists' }] }), [tainted, clean]);
  assert.equal(t2, c2);
});

test('leastRequestedScore and reverseNormalize: integer maths as upstream', () => {
  assert.equal(leastRequestedScore(1000, 4000), 75);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  assert.equal(leastRequestedScore(1, 0), 0);
  assert.deepEqual(reverseNormalize([0, 1, 3]), [100, 66, 0]);
  assert.deepEqual(reverseNormalize([0, 0]), [100, 100]);
});

test('selectHost: ties are broken by the random source', () => {
  assert.equal(selectHost([5, 9, 9, 1], () => 0), 2);
  assert.equal(selectHost([5, 9, 9, 1], () => 0.99), 1);
  assert.equal(selectHost([], () => 0), -1);
});

test('podRequests: init containers by the max rule, sidecars added, overhead on top', () => {
  const c = (cpu: string, extra: Record<string, unknown> = {}) => ({ name: cpu, image: 'i', resources: { requests: { cpu } }, ...extra });
  const spec = { containers: [c('100m'), c('200m')], initContainers: [c('500m')] } as never;
  assert.equal(podRequests(spec, false).milliCpu, 500);
  const sidecar = { containers: [c('100m')], initContainers: [c('50m', { restartPolicy: 'Always' }), c('120m')] } as never;
  // sum = 100 + 50 sidecar = 150; the init needs 120 + 50 = 170.
  assert.equal(podRequests(sidecar, false).milliCpu, 170);
  assert.equal(podRequests({ containers: [c('100m')], overhead: { cpu: '250m' } } as never, false).milliCpu, 350);
  // Limits stand in for missing requests; non-zero defaults for what is left out.
  const limitsOnly = { containers: [{ name: 'x', image: 'i', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } as never;
  assert.equal(podRequests(limitsOnly, false).memory, 1024 ** 3);
  const nothing = podRequests({ containers: [{ name: 'x', image: 'i' }] } as never, true);
  assert.deepEqual([nothing.milliCpu, nothing.memory], [100, 200 * 1024 * 1024]);
});

test('cache: an assumed pod counts at once, the informer confirms it, a failed binding forgets it', () => {
  const cache = new SchedulerCache();
  cache.upsertNode(parseNode(nodeObject('n', { cpu: '1' })));
  const p = podRequesting('p', { cpu: '600m' });
  cache.assume(p, 'n');
  assert.equal(cache.node('n')?.requested.milliCpu, 600);
  // The informer still has the unbound copy: it stays assumed.
  cache.upsertPod(p);
  assert.equal(cache.isAssumed(p.key), true);
  assert.equal(decide(podRequesting('q', { cpu: '600m' }), cache.nodes(), first).kind, 'unschedulable');
  cache.forget(p.key);
  assert.equal(cache.node('n')?.requested.milliCpu, 0);
  cache.assume(p, 'n');
  cache.upsertPod({ ...p, nodeName: 'n' });
  assert.equal(cache.isAssumed(p.key), false);
  cache.forget(p.key); // confirmed: forgetting is a no-op
  assert.equal(cache.node('n')?.requested.milliCpu, 600);
  cache.upsertPod({ ...p, nodeName: 'n', terminal: true });
  assert.equal(cache.node('n')?.requested.milliCpu, 0);
});

test('queue: parked pods wait for a move and their back-off; a spec change frees them', () => {
  const q = new SchedulingQueue();
  assert.equal(q.offer('ns/a', 'f1'), true);
  assert.equal(q.pop(), 'ns/a');
  q.park('ns/a', 'f1', 0);
  assert.equal(q.offer('ns/a', 'f1'), false);
  assert.equal(q.moveParked(500), 1000);
  assert.equal(q.pop(), undefined);
  assert.equal(q.moveParked(1000), undefined);
  assert.equal(q.pop(), 'ns/a');
  q.park('ns/a', 'f1', 1000); // second failure: 2 s
  assert.equal(q.moveParked(2500), 3000);
  assert.equal(q.offer('ns/a', 'f2'), true);
  assert.equal(q.pop(), 'ns/a');
});
