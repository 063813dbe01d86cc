import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maxSurge, maxUnavailable, newReplicasForRolling, proportionalScale, reconcileOld, resolveFenceposts, type RollingParams, type RSCounts } from '../../../../../src/apiserver/controllers/deployment/strategy.js';

describe('fenceposts', () => {
  it('rounds surge up and unavailable down', () => {
    assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 4), { surge: 1, unavailable: 1 });
    assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
    assert.deepEqual(resolveFenceposts(0, 0, 5), { surge: 0, unavailable: 1 });
    assert.deepEqual(resolveFenceposts(2, '50%', 5), { surge: 2, unavailable: 2 });
  });
  it('caps unavailable at the replicas', () => {
    assert.equal(maxUnavailable({ replicas: 2, maxSurge: 0, maxUnavailable: 5 }), 2);
    assert.equal(maxUnavailable({ replicas: 0, maxSurge: 1, maxUnavailable: 1 }), 0);
  });
});

/**
 * Simulates a rollout: each step the controller acts (new set up, then old sets down), then the
 * "cluster" makes every pod available (new pods become available, removed ones vanish). At every
 * point the limits must hold.
 */
function simulate(d: RollingParams): number {
  const old: RSCounts = { id: 'old', replicas: d.replicas, available: d.replicas, created: 1 };
  const neu: RSCounts = { id: 'new', replicas: 0, available: 0, created: 2 };
  const surge = maxSurge(d);
  const unavailable = maxUnavailable(d);
  for (let step = 1; step < 100; step++) {
    neu.replicas = newReplicasForRolling(d, [old, neu], neu);
    assert.ok(old.replicas + neu.replicas <= d.replicas + surge, `step ${step}: total ${old.replicas + neu.replicas}`);
    const target = reconcileOld(d, [old], neu).get('old');
    if (target !== undefined) old.replicas = target;
    old.available = Math.min(old.available, old.replicas);
    assert.ok(old.available + neu.available >= d.replicas - unavailable, `step ${step}: available ${old.available + neu.available}`);
    if (old.replicas === 0 && neu.replicas === d.replicas && neu.available === d.replicas) return step;
    // The new pods come up only after the step (the watcher's view between steps).
    neu.available = neu.replicas;
  }
  assert.fail('the rollout did not finish');
}

describe('rolling steps', () => {
  for (const d of [
    { replicas: 4, maxSurge: '25%', maxUnavailable: '25%' },
    { replicas: 4, maxSurge: 1, maxUnavailable: 0 },
    { replicas: 4, maxSurge: 0, maxUnavailable: 1 },
    { replicas: 10, maxSurge: '30%', maxUnavailable: '10%' },
    { replicas: 1, maxSurge: '25%', maxUnavailable: '25%' },
    { replicas: 3, maxSurge: '100%', maxUnavailable: 0 },
  ] satisfies RollingParams[]) {
    it(`finishes within the limits: ${JSON.stringify(d)}`, () => {
      assert.ok(simulate(d) > 0);
    });
  }

  it('the first step for 4 replicas at 25%/25% adds one new and removes one old', () => {
    const d = { replicas: 4, maxSurge: '25%', maxUnavailable: '25%' };
    const old = { id: 'old', replicas: 4, available: 4, created: 1 };
    const neu = { id: 'new', replicas: 0, available: 0, created: 2 };
    assert.equal(newReplicasForRolling(d, [old, neu], neu), 1);
    assert.equal(reconcileOld(d, [old], { ...neu, replicas: 1 }).get('old'), 3);
  });

  it('scales unhealthy old pods down first', () => {
    const d = { replicas: 4, maxSurge: 0, maxUnavailable: 1 };
    const olds = [{ id: 'o1', replicas: 2, available: 0, created: 1 }, { id: 'o2', replicas: 2, available: 2, created: 2 }];
    const neu = { id: 'new', replicas: 2, available: 2, created: 3 };
    const out = reconcileOld(d, olds, neu);
    assert.equal(out.get('o1'), 0);
  });
});

describe('proportionalScale', () => {
  it('spreads a scale-up over active sets by their share', () => {
    const d = { replicas: 20, maxSurge: 0, maxUnavailable: 1 };
    const out = proportionalScale(d, [{ id: 'a', replicas: 5, available: 5, created: 1, maxReplicas: 10 }, { id: 'b', replicas: 5, available: 0, created: 2, maxReplicas: 10 }], 10);
    assert.equal((out.get('a') ?? 0) + (out.get('b') ?? 0), 20);
    assert.equal(out.get('a'), 10);
  });
});
