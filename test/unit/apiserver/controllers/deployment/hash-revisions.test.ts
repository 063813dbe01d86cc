import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { podTemplateHash } from '../../../../../src/apiserver/controllers/deployment/hash.js';
import { newReplicaSetAnnotations, REVISION, REVISION_HISTORY } from '../../../../../src/apiserver/controllers/deployment/revisions.js';
import { equalIgnoreHash } from '../../../../../src/apiserver/controllers/deployment/replicasets.js';

describe('podTemplateHash', () => {
  it('is stable across key order, changes with the template and the collision count', () => {
    const a = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };
    const b = { spec: { containers: [{ image: 'x:1', name: 'c' }] }, metadata: { labels: { app: 'web' } } };
    assert.equal(podTemplateHash(a), podTemplateHash(b));
    assert.notEqual(podTemplateHash(a), podTemplateHash({ ...a, spec: { containers: [{ name: 'c', image: 'x:2' }] } }));
    assert.notEqual(podTemplateHash(a), podTemplateHash(a, 1));
    assert.match(podTemplateHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  });
  it('templates are equal ignoring the hash label', () => {
    assert.ok(equalIgnoreHash({ metadata: { labels: { app: 'a', 'pod-template-hash': 'xyz' } }, spec: {} }, { metadata: { labels: { app: 'a' } }, spec: {} }));
    assert.ok(!equalIgnoreHash({ metadata: { labels: { app: 'a' } }, spec: { x: 1 } }, { metadata: { labels: { app: 'a' } }, spec: {} }));
  });
});

describe('newReplicaSetAnnotations', () => {
  const d = { annotations: { 'kubernetes.io/change-cause': 'v2', [REVISION]: '1' }, replicas: 4, surge: 1 };
  it('a new set gets the revision, replica annotations and the change cause', () => {
    const { annotations } = newReplicaSetAnnotations({}, d, 2, false);
    assert.deepEqual(annotations, { 'kubernetes.io/change-cause': 'v2', [REVISION]: '2', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' });
  });
  it('a reused set (rollback) moves to the new revision and remembers the old one', () => {
    const { annotations, changed } = newReplicaSetAnnotations({ [REVISION]: '1', 'kubernetes.io/change-cause': 'v2' }, d, 3, true);
    assert.ok(changed);
    assert.equal(annotations[REVISION], '3');
    assert.equal(annotations[REVISION_HISTORY], '1');
  });
  it('is a no-op in the steady state', () => {
    assert.equal(newReplicaSetAnnotations({ [REVISION]: '2', 'kubernetes.io/change-cause': 'v2' }, d, 2, true).changed, false);
  });
});
