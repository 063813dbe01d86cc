// Deletion semantics: graceful pods, finalizers, preconditions, propagation through ownerReferences
// (the in-process garbage collector), namespaces, deletecollection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './server.js';
import { isJsonObject, type JsonObject } from '../../../src/api/object.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const PODS = '/api/v1/namespaces/default/pods';
const CMS = '/api/v1/namespaces/default/configmaps';

function obj(v: unknown): JsonObject {
  assert.ok(isJsonObject(v), `expected a JSON object, got ${JSON.stringify(v)}`);
  return v;
}

function meta(v: unknown): JsonObject {
  return obj(obj(v).metadata);
}

async function create(path: string, body: JsonObject): Promise<JsonObject> {
  const res = await s.request('POST', path, body);
  assert.equal(res.status, 201, res.text);
  return obj(res.body);
}

function pod(name: string, nodeName?: string, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...extra },
    spec: { ...(nodeName !== undefined ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
  };
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function gone(path: string): Promise<boolean> {
  return (await s.request('GET', path)).status === 404;
}

test('a scheduled pod is deleted gracefully: deletionTimestamp, then removal at grace 0', async () => {
  await create(PODS, pod('g1', 'node-a'));
  const t0 = Date.now();
  const first = await s.request('DELETE', `${PODS}/g1`);
  assert.equal(first.status, 200, first.text);
  const m = meta(first.body);
  assert.equal(m.deletionGracePeriodSeconds, 30);
  const ts = Date.parse(String(m.deletionTimestamp));
  assert.ok(ts >= Math.floor(t0 / 1000) * 1000 + 29_000 && ts <= t0 + 31_000, 'deletionTimestamp is now + grace');
  assert.equal((await s.request('GET', `${PODS}/g1`)).status, 200, 'the pod stays until the node confirms');
  // A second DELETE without a shorter grace changes nothing.
  const again = await s.request('DELETE', `${PODS}/g1`);
  assert.equal(meta(again.body).resourceVersion, m.resourceVersion);
  // Shortening is allowed.
  const shorter = await s.request('DELETE', `${PODS}/g1`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5 });
  assert.equal(meta(shorter.body).deletionGracePeriodSeconds, 5);
  // The node confirms (or kubectl delete --grace-period=0 --force).
  const confirm = await s.request('DELETE', `${PODS}/g1?gracePeriodSeconds=0`);
  assert.equal(confirm.status, 200);
  assert.equal(obj(confirm.body).kind, 'Pod', 'pods answer with the deleted object');
  assert.ok(await gone(`${PODS}/g1`));
});

test('an unscheduled pod, and a terminated one, go at once', async () => {
  await create(PODS, pod('u1'));
  assert.equal((await s.request('DELETE', `${PODS}/u1`)).status, 200);
  assert.ok(await gone(`${PODS}/u1`));
  const done = await create(PODS, pod('u2', 'node-a'));
  await s.request('PUT', `${PODS}/u2/status`, { ...done, status: { phase: 'Succeeded' } });
  assert.equal((await s.request('DELETE', `${PODS}/u2`)).status, 200);
  assert.ok(await gone(`${PODS}/u2`));
});

test('non-pod kinds answer a successful delete with a Status', async () => {
  const created = await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'del1' } });
  const res = await s.request('DELETE', `${CMS}/del1`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'del1', kind: 'configmaps', uid: meta(created).uid } });
  const missing = await s.request('DELETE', `${CMS}/del1`);
  assert.equal(missing.status, 404);
});

test('preconditions: a wrong uid or resourceVersion is 409', async () => {
  await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pre' } });
  const res = await s.request('DELETE', `${CMS}/pre`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-it' } });
  assert.equal(res.status, 409);
  assert.match(String(obj(res.body).message), /^Operation cannot be fulfilled on configmaps "pre": Precondition failed: UID in precondition: not-it, UID in object meta: /);
  const rv = await s.request('DELETE', `${CMS}/pre`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { resourceVersion: '1' } });
  assert.equal(rv.status, 409);
});

test('finalizers keep an object (with deletionTimestamp) until removed by update', async () => {
  await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fin', finalizers: ['example.com/hold'] } });
  const res = await s.request('DELETE', `${CMS}/fin`);
  assert.equal(res.status, 200);
  assert.equal(obj(res.body).kind, 'ConfigMap', 'a pending deletion answers with the object');
  assert.ok(meta(res.body).deletionTimestamp !== undefined);
  assert.equal(meta(res.body).deletionGracePeriodSeconds, 0);
  const held = await s.request('GET', `${CMS}/fin`);
  assert.equal(held.status, 200);
  const removed = await s.request('PATCH', `${CMS}/fin`, [{ op: 'remove', path: '/metadata/finalizers' }], { 'content-type': 'application/json-patch+json' });
  assert.equal(removed.status, 200, removed.text);
  assert.ok(await gone(`${CMS}/fin`));
});

test('a graceful pod with a finalizer stays after grace 0 until the finalizer goes', async () => {
  await create(PODS, pod('gf', 'node-a', { finalizers: ['example.com/hold'] }));
  await s.request('DELETE', `${PODS}/gf`);
  const confirm = await s.request('DELETE', `${PODS}/gf?gracePeriodSeconds=0`);
  assert.equal(confirm.status, 200);
  assert.equal(meta(confirm.body).deletionGracePeriodSeconds, 0);
  assert.equal((await s.request('GET', `${PODS}/gf`)).status, 200);
  await s.request('PATCH', `${PODS}/gf`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  assert.ok(await gone(`${PODS}/gf`));
});

function owned(name: string, owner: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      ownerReferences: [{ apiVersion: String(owner.apiVersion), kind: String(owner.kind), name: String(meta(owner).name), uid: String(meta(owner).uid), ...extra }],
    },
  };
}

test('background propagation: the garbage collector deletes dependents of a deleted owner', async () => {
  const owner = await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-bg' } });
  await create(CMS, owned('dep-bg-1', owner));
  await create(CMS, owned('dep-bg-2', owner));
  assert.equal((await s.request('DELETE', `${CMS}/owner-bg`)).status, 200);
  await eventually('dependents are collected', async () => (await gone(`${CMS}/dep-bg-1`)) && (await gone(`${CMS}/dep-bg-2`)));
});

test('a dependent created with a dangling owner reference is collected', async () => {
  await create(CMS, owned('dangling', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'never', uid: '00000000-0000-0000-0000-000000000000' } }));
  await eventually('the orphan is collected', () => gone(`${CMS}/dangling`));
});

test('a dependent with another living owner only loses the dangling reference', async () => {
  const a = await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own-a' } });
  const b = await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'own-b' } });
  const dep = owned('two-owners', a);
  const refs = meta(dep).ownerReferences;
  assert.ok(Array.isArray(refs));
  refs.push({ apiVersion: 'v1', kind: 'ConfigMap', name: 'own-b', uid: String(meta(b).uid) });
  await create(CMS, dep);
  await s.request('DELETE', `${CMS}/own-a`);
  await eventually('the reference to the deleted owner is dropped', async () => {
    const res = await s.request('GET', `${CMS}/two-owners`);
    const r = meta(res.body).ownerReferences;
    return res.status === 200 && Array.isArray(r) && r.length === 1 && obj(r[0]).name === 'own-b';
  });
});

test('orphan propagation: dependents stay and lose the reference; the owner goes after', async () => {
  const owner = await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-orphan' } });
  await create(CMS, owned('dep-orphan', owner));
  const res = await s.request('DELETE', `${CMS}/owner-orphan`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
  assert.equal(res.status, 200);
  await eventually('the owner is gone', () => gone(`${CMS}/owner-orphan`));
  const dep = await s.request('GET', `${CMS}/dep-orphan`);
  assert.equal(dep.status, 200);
  assert.equal(meta(dep.body).ownerReferences, undefined);
});

test('foreground propagation: the owner waits for blocking dependents, then goes', async () => {
  const owner = await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner-fg' } });
  // A dependent with its own finalizer keeps the owner waiting.
  await create(CMS, { ...owned('dep-fg', owner, { blockOwnerDeletion: true }), metadata: { ...meta(owned('dep-fg', owner, { blockOwnerDeletion: true })), finalizers: ['example.com/hold'] } });
  const res = await s.request('DELETE', `${CMS}/owner-fg?propagationPolicy=Foreground`);
  assert.equal(res.status, 200);
  assert.deepEqual(meta(res.body).finalizers, ['foregroundDeletion']);
  await eventually('the dependent is being deleted', async () => meta((await s.request('GET', `${CMS}/dep-fg`)).body).deletionTimestamp !== undefined);
  assert.equal((await s.request('GET', `${CMS}/owner-fg`)).status, 200, 'the owner waits');
  await s.request('PATCH', `${CMS}/dep-fg`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  await eventually('the owner goes once the dependent is gone', () => gone(`${CMS}/owner-fg`));
});

test('deleting a ReplicaSet collects its pods (scheduled pods gracefully)', async () => {
  const rs = await create('/apis/apps/v1/namespaces/default/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs-gc' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'rs-gc' } }, template: { metadata: { labels: { app: 'rs-gc' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs-gc', uid: String(meta(rs).uid), controller: true, blockOwnerDeletion: true };
  await create(PODS, { ...pod('rs-gc-a'), metadata: { name: 'rs-gc-a', labels: { app: 'rs-gc' }, ownerReferences: [ref] } });
  await create(PODS, { ...pod('rs-gc-b', 'node-a'), metadata: { name: 'rs-gc-b', labels: { app: 'rs-gc' }, ownerReferences: [ref] } });
  await s.request('DELETE', '/apis/apps/v1/namespaces/default/replicasets/rs-gc');
  await eventually('the unscheduled pod is gone', () => gone(`${PODS}/rs-gc-a`));
  await eventually('the scheduled pod is terminating', async () => meta((await s.request('GET', `${PODS}/rs-gc-b`)).body).deletionTimestamp !== undefined);
});

test('deletecollection deletes what the selector matches', async () => {
  for (const [name, tier] of [['dc1', 'x'], ['dc2', 'x'], ['dc3', 'y']] as const) {
    await create(CMS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { tier } } });
  }
  const res = await s.request('DELETE', `${CMS}?labelSelector=tier%3Dx`);
  assert.equal(res.status, 200, res.text);
  assert.equal(obj(res.body).kind, 'ConfigMapList');
  assert.ok(await gone(`${CMS}/dc1`));
  assert.ok(await gone(`${CMS}/dc2`));
  assert.equal((await s.request('GET', `${CMS}/dc3`)).status, 200);
});

test('namespaces: built-in ones may not be deleted; an empty one goes; one with content stays Terminating until its content is gone', async () => {
  const refused = await s.request('DELETE', '/api/v1/namespaces/default');
  assert.equal(refused.status, 403);
  assert.equal(obj(refused.body).message, 'namespaces "default" is forbidden: this namespace may not be deleted');

  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty-ns' } });
  const res = await s.request('DELETE', '/api/v1/namespaces/empty-ns');
  assert.equal(res.status, 200);
  assert.equal(obj(obj(res.body).status).phase, 'Terminating');
  await eventually('the empty namespace is gone', () => gone('/api/v1/namespaces/empty-ns'));

  await create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'full-ns' } });
  // A finalizer of someone else's keeps the content (and so the namespace) until it is removed.
  await create('/api/v1/namespaces/full-ns/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'content', finalizers: ['example.com/hold'] } });
  await create('/api/v1/namespaces/full-ns/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' } });
  await s.request('DELETE', '/api/v1/namespaces/full-ns');
  const blocked = await s.request('POST', '/api/v1/namespaces/full-ns/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'more' } });
  assert.equal(blocked.status, 403);
  assert.equal(obj(blocked.body).message, 'configmaps "more" is forbidden: unable to create new content in namespace full-ns because it is being terminated');
  await eventually('the namespace controller deletes the content', () => gone('/api/v1/namespaces/full-ns/configmaps/plain'));
  assert.equal((await s.request('GET', '/api/v1/namespaces/full-ns')).status, 200, 'content with a finalizer keeps it Terminating');
  await s.request('PATCH', '/api/v1/namespaces/full-ns/configmaps/content', { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
  await eventually('the namespace goes once emptied', () => gone('/api/v1/namespaces/full-ns'));
});
