import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabelSelector } from '../../../../../src/api/labels.js';
import type { KubeObject } from '../../../../../src/api/object.js';
import { planReplicaSet, podsToDelete, slowStartBatches, type ReplicaSetFacts } from '../../../../../src/apiserver/controllers/replicaset/plan.js';
import { podView, type PodView } from '../../../../../src/apiserver/controllers/replicaset/pods.js';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const RS: ReplicaSetFacts = { uid: 'rs-uid', generation: 3, replicas: 3, minReadySeconds: 0, selector: parseLabelSelector('app=web'), templateLabels: { app: 'web', tier: 'fe' }, deleting: false };

function pod(name: string, o: { owner?: string; labels?: Record<string, string>; node?: string; ready?: boolean; readySince?: string; phase?: string; created?: string; deleting?: boolean; restarts?: number } = {}): PodView {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web', tier: 'fe' },
      creationTimestamp: o.created ?? '2025-01-01T00:00:00Z',
      ...(o.deleting === true ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}),
      ...(o.owner === undefined ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: o.owner, controller: true }] }),
    },
    spec: { nodeName: o.node ?? '' },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2025-01-01T00:01:00Z' }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  } as unknown as KubeObject;
  const v = podView(obj);
  assert.ok(v);
  return v;
}

describe('planReplicaSet', () => {
  it('creates the missing replicas', () => {
    const p = planReplicaSet({ rs: RS, pods: [pod('a', { owner: 'rs-uid' })], related: [], now: NOW, manage: true });
    assert.equal(p.create, 2);
    assert.equal(p.delete.length, 0);
    assert.deepEqual(p.status, { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 3 });
  });

  it('adopts matching orphans, releases owned pods that stopped matching, ignores pods of others', () => {
    const pods = [pod('orphan'), pod('mine', { owner: 'rs-uid' }), pod('stray', { owner: 'rs-uid', labels: { app: 'db' } }), pod('theirs', { owner: 'other' }), pod('done', { phase: 'Succeeded' })];
    const p = planReplicaSet({ rs: RS, pods, related: [], now: NOW, manage: true });
    assert.deepEqual(p.adopt.map((x) => x.name), ['orphan']);
    assert.deepEqual(p.release.map((x) => x.name), ['stray']);
    assert.deepEqual(p.owned.map((x) => x.name).sort(), ['mine', 'orphan']);
    assert.equal(p.create, 1);
  });

  it('deletes the surplus: unscheduled, then not ready, then newer', () => {
    const pods = [
      pod('old-ready', { owner: 'rs-uid', node: 'n1', created: '2025-01-01T00:00:00Z' }),
      pod('new-ready', { owner: 'rs-uid', node: 'n2', created: '2025-01-01T00:05:00Z' }),
      pod('not-ready', { owner: 'rs-uid', node: 'n3', ready: false }),
      pod('unscheduled', { owner: 'rs-uid', phase: 'Pending', ready: false }),
      pod('mid-ready', { owner: 'rs-uid', node: 'n4', created: '2025-01-01T00:02:00Z' }),
    ];
    const p = planReplicaSet({ rs: { ...RS, replicas: 2 }, pods, related: [], now: NOW, manage: true });
    assert.deepEqual(p.delete.map((x) => x.name), ['unscheduled', 'not-ready', 'new-ready']);
  });

  it('prefers deleting pods doubled up on a node', () => {
    const pods = [pod('alone', { owner: 'rs-uid', node: 'n1' }), pod('pair1', { owner: 'rs-uid', node: 'n2' }), pod('pair2', { owner: 'rs-uid', node: 'n2' })];
    const del = podsToDelete(pods, [], 1);
    assert.notEqual(del[0]?.name, 'alone');
  });

  it('does nothing new while expectations are pending, but still reports status', () => {
    const p = planReplicaSet({ rs: RS, pods: [], related: [], now: NOW, manage: false });
    assert.equal(p.create, 0);
    assert.equal(p.status.replicas, 0);
  });

  it('counts available only after minReadySeconds and says when to look again', () => {
    const pods = [pod('a', { owner: 'rs-uid', readySince: '2025-01-01T00:09:50Z' }), pod('b', { owner: 'rs-uid', readySince: '2025-01-01T00:00:00Z' })];
    const p = planReplicaSet({ rs: { ...RS, replicas: 2, minReadySeconds: 30 }, pods, related: [], now: NOW, manage: true });
    assert.equal(p.status.readyReplicas, 2);
    assert.equal(p.status.availableReplicas, 1);
    assert.equal(p.recheckAfterMs, 20_001);
  });

  it('counts fully labeled pods', () => {
    const pods = [pod('a', { owner: 'rs-uid', labels: { app: 'web' } }), pod('b', { owner: 'rs-uid' })];
    assert.equal(planReplicaSet({ rs: RS, pods, related: [], now: NOW, manage: true }).status.fullyLabeledReplicas, 1);
  });

  it('a ReplicaSet being deleted neither adopts nor creates', () => {
    const p = planReplicaSet({ rs: { ...RS, deleting: true }, pods: [pod('orphan')], related: [], now: NOW, manage: true });
    assert.equal(p.adopt.length, 0);
    assert.equal(p.create, 0);
  });
});

describe('slowStartBatches', () => {
  it('doubles from 1', () => {
    assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
    assert.deepEqual(slowStartBatches(1), [1]);
    assert.deepEqual(slowStartBatches(0), []);
  });
});
