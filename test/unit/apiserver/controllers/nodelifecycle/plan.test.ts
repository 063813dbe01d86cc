import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evictionTime, notReadyConditions, tolerates, unknownConditions, UNREACHABLE_TAINT, withoutUnreachableTaints, withUnreachableTaints } from '../../../../../src/apiserver/controllers/nodelifecycle/plan.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const ADDED = '2025-01-01T00:00:00Z';
const unreachable = [{ key: UNREACHABLE_TAINT, effect: 'NoSchedule' }, { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: ADDED }];

describe('node lifecycle planning', () => {
  it('sets the watched conditions Unknown with upstream reason and message, once', () => {
    const conds = unknownConditions([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'h' }, { type: 'NetworkUnavailable', status: 'False' }], NOW);
    assert.ok(conds);
    assert.deepEqual(conds[0], { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'h', lastTransitionTime: ADDED });
    assert.deepEqual(conds[1], { type: 'NetworkUnavailable', status: 'False' });
    assert.equal(unknownConditions(conds, NOW), undefined);
  });

  it('adds and removes the unreachable taints, keeping others', () => {
    const other = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
    const added = withUnreachableTaints([other], NOW);
    assert.deepEqual(added, [other, ...unreachable]);
    assert.equal(withUnreachableTaints(added ?? [], NOW), undefined);
    assert.deepEqual(withoutUnreachableTaints(added ?? []), [other]);
    assert.equal(withoutUnreachableTaints([other]), undefined);
  });

  it('matches tolerations as upstream', () => {
    const taint = { key: UNREACHABLE_TAINT, effect: 'NoExecute' };
    assert.ok(tolerates({ operator: 'Exists' }, taint));
    assert.ok(tolerates({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute' }, taint));
    assert.ok(!tolerates({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoSchedule' }, taint));
    assert.ok(!tolerates({ key: 'other', operator: 'Exists' }, taint));
    assert.ok(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
    assert.ok(!tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  });

  it('evicts after the default timeout, the toleration seconds, or never', () => {
    assert.equal(evictionTime([], unreachable, 300, NOW), NOW + 300_000);
    assert.equal(evictionTime([{ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }], unreachable, 300, NOW), NOW + 5000);
    assert.equal(evictionTime([{ operator: 'Exists' }], unreachable, 300, NOW), undefined);
    assert.equal(evictionTime([], [{ key: 'custom', effect: 'NoExecute', timeAdded: ADDED }], 300, NOW), NOW);
    assert.equal(evictionTime([], [{ key: UNREACHABLE_TAINT, effect: 'NoSchedule' }], 300, NOW), undefined);
  });

  it('marks a ready pod not ready', () => {
    const c = notReadyConditions([{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }], NOW);
    assert.deepEqual(c, [{ type: 'Ready', status: 'False', lastTransitionTime: ADDED }, { type: 'PodScheduled', status: 'True' }]);
    assert.equal(notReadyConditions(c ?? [], NOW), undefined);
  });
});
