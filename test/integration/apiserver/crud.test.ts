// The apiserver's REST verbs over real HTTP on a real SQLite store: create, get, list, update
// (with optimistic concurrency), the three patch types, subresources, and upstream's Status bodies.
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

function pod(name: string, extra: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] }, ...extra };
}

function obj(v: unknown): JsonObject {
  assert.ok(isJsonObject(v), `expected a JSON object, got ${JSON.stringify(v)}`);
  return v;
}

function meta(v: unknown): JsonObject {
  return obj(obj(v).metadata);
}

test('create sets server fields and defaults; get returns the object', async () => {
  const res = await s.request('POST', PODS, pod('p1'));
  assert.equal(res.status, 201, res.text);
  const m = meta(res.body);
  assert.match(String(m.uid), /^[0-9a-f-]{36}$/);
  assert.match(String(m.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(String(m.resourceVersion), /^\d+$/);
  assert.equal(m.generation, 1);
  assert.equal(m.namespace, 'default');
  assert.equal(obj(obj(res.body).status).phase, 'Pending');
  assert.equal(obj(obj(res.body).spec).restartPolicy, 'Always');

  const got = await s.request('GET', `${PODS}/p1`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, res.body);
});

test('create of an existing name is 409 AlreadyExists with upstream Status', async () => {
  await s.request('POST', PODS, pod('dup'));
  const res = await s.request('POST', PODS, pod('dup'));
  assert.equal(res.status, 409);
  assert.deepEqual(res.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods "dup" already exists',
    reason: 'AlreadyExists',
    details: { name: 'dup', kind: 'pods' },
    code: 409,
  });
});

test('get of a missing object is 404 NotFound with upstream Status; group resources are qualified', async () => {
  const res = await s.request('GET', `${PODS}/nope`);
  assert.equal(res.status, 404);
  assert.deepEqual(res.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods "nope" not found',
    reason: 'NotFound',
    details: { name: 'nope', kind: 'pods' },
    code: 404,
  });
  const dep = await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/nope');
  assert.equal(obj(dep.body).message, 'deployments.apps "nope" not found');
  assert.deepEqual(obj(dep.body).details, { name: 'nope', group: 'apps', kind: 'deployments' });
});

test('generateName creates a unique name', async () => {
  const res = await s.request('POST', PODS, { ...pod(''), metadata: { generateName: 'gen-' } });
  assert.equal(res.status, 201, res.text);
  assert.match(String(meta(res.body).name), /^gen-[a-z0-9]{5}$/);
});

test('create in a missing namespace is 404 for the namespace', async () => {
  const res = await s.request('POST', '/api/v1/namespaces/ghost/pods', pod('x'));
  assert.equal(res.status, 404);
  assert.equal(obj(res.body).message, 'namespaces "ghost" not found');
  assert.deepEqual(obj(res.body).details, { name: 'ghost', kind: 'namespaces' });
});

test('namespace in the body must match the URL', async () => {
  const res = await s.request('POST', PODS, { ...pod('x'), metadata: { name: 'x', namespace: 'kube-system' } });
  assert.equal(res.status, 400);
  assert.equal(obj(res.body).message, 'the namespace of the provided object does not match the namespace sent on the request');
});

test('update with a stale resourceVersion is 409 Conflict with upstream message; current one succeeds', async () => {
  const created = obj((await s.request('POST', PODS, pod('u1'))).body);
  const rv = String(meta(created).resourceVersion);
  const first = await s.request('PUT', `${PODS}/u1`, { ...created, metadata: { ...meta(created), labels: { v: '1' } } });
  assert.equal(first.status, 200, first.text);
  assert.notEqual(meta(first.body).resourceVersion, rv);
  const stale = await s.request('PUT', `${PODS}/u1`, { ...created, metadata: { ...meta(created), labels: { v: '2' } } });
  assert.equal(stale.status, 409);
  assert.deepEqual(stale.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Operation cannot be fulfilled on pods "u1": the object has been modified; please apply your changes to the latest version and try again',
    reason: 'Conflict',
    details: { name: 'u1', kind: 'pods' },
    code: 409,
  });
  // Without a resourceVersion the update is unconditional.
  const { resourceVersion: _rv, ...noRv } = meta(created);
  const uncond = await s.request('PUT', `${PODS}/u1`, { ...created, metadata: { ...noRv, labels: { v: '3' } } });
  assert.equal(uncond.status, 200, uncond.text);
  assert.deepEqual(meta(uncond.body).labels, { v: '3' });
});

test('an update that changes nothing keeps the resourceVersion', async () => {
  const created = obj((await s.request('POST', PODS, pod('same'))).body);
  const res = await s.request('PUT', `${PODS}/same`, created);
  assert.equal(res.status, 200);
  assert.equal(meta(res.body).resourceVersion, meta(created).resourceVersion);
});

test('name in the body must match the URL on update', async () => {
  const created = obj((await s.request('POST', PODS, pod('n1'))).body);
  const res = await s.request('PUT', `${PODS}/n1`, { ...created, metadata: { ...meta(created), name: 'n2' } });
  assert.equal(res.status, 400);
  assert.equal(obj(res.body).message, 'the name of the object (n2) does not match the name on the URL (n1)');
});

test('the three patch types; strategic merge uses merge keys', async () => {
  await s.request('POST', PODS, pod('pt', { spec: { containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] } }));
  const merge = await s.request('PATCH', `${PODS}/pt`, { metadata: { labels: { m: '1' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(merge.status, 200, merge.text);
  assert.equal(obj(meta(merge.body).labels).m, '1');
  const json = await s.request('PATCH', `${PODS}/pt`, [{ op: 'add', path: '/metadata/annotations', value: { j: '2' } }], {
    'content-type': 'application/json-patch+json',
  });
  assert.equal(json.status, 200, json.text);
  assert.deepEqual(meta(json.body).annotations, { j: '2' });
  const smp = await s.request('PATCH', `${PODS}/pt`, { spec: { containers: [{ name: 'b', image: 'busybox:2' }] } }, {
    'content-type': 'application/strategic-merge-patch+json',
  });
  assert.equal(smp.status, 200, smp.text);
  const containers = obj(obj(smp.body).spec).containers;
  assert.ok(Array.isArray(containers));
  assert.deepEqual(containers.map((c) => [obj(c).name, obj(c).image]), [['a', 'busybox'], ['b', 'busybox:2']]);
});

test('a patch carrying a stale resourceVersion is 409; apply-patch is 415', async () => {
  await s.request('POST', PODS, pod('pc'));
  const res = await s.request('PATCH', `${PODS}/pc`, { metadata: { resourceVersion: '1', labels: { x: 'y' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(res.status, 409);
  const apply = await s.request('PATCH', `${PODS}/pc`, 'metadata: {}', { 'content-type': 'application/apply-patch+yaml' });
  assert.equal(apply.status, 415);
  assert.equal(obj(apply.body).reason, 'UnsupportedMediaType');
  const failedTest = await s.request('PATCH', `${PODS}/pc`, [{ op: 'test', path: '/metadata/name', value: 'other' }], { 'content-type': 'application/json-patch+json' });
  assert.equal(failedTest.status, 422, failedTest.text);
});

test('main update ignores status; /status changes only status', async () => {
  const created = obj((await s.request('POST', PODS, pod('st'))).body);
  const main = await s.request('PUT', `${PODS}/st`, { ...created, status: { phase: 'Running' } });
  assert.equal(obj(obj(main.body).status).phase, 'Pending');
  const cur = obj(main.body);
  const status = await s.request('PUT', `${PODS}/st/status`, { ...cur, metadata: { ...meta(cur), labels: { ignored: 'yes' } }, status: { phase: 'Running' } });
  assert.equal(status.status, 200, status.text);
  assert.equal(obj(obj(status.body).status).phase, 'Running');
  assert.deepEqual(meta(status.body).labels, { app: 'st' });
  const patched = await s.request('PATCH', `${PODS}/st/status`, { status: { podIP: '10.0.0.5' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(obj(obj(patched.body).status).podIP, '10.0.0.5');
  assert.equal(meta(patched.body).generation, 1);
});

test('generation moves with spec changes only', async () => {
  const dep = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'g1' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'g1' } }, template: { metadata: { labels: { app: 'g1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  };
  const D = '/apis/apps/v1/namespaces/default/deployments';
  const created = await s.request('POST', D, dep);
  assert.equal(created.status, 201, created.text);
  assert.equal(meta(created.body).generation, 1);
  const labeled = await s.request('PATCH', `${D}/g1`, { metadata: { labels: { x: '1' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(meta(labeled.body).generation, 1);
  const scaled = await s.request('PATCH', `${D}/g1`, { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(meta(scaled.body).generation, 2);
});

test('scale subresource: GET, PUT and PATCH autoscaling/v1 Scale', async () => {
  const D = '/apis/apps/v1/namespaces/default/replicasets';
  const rs = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs1' },
    spec: { replicas: 2, selector: { matchLabels: { app: 'rs1' } }, template: { metadata: { labels: { app: 'rs1' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  };
  assert.equal((await s.request('POST', D, rs)).status, 201);
  const scale = await s.request('GET', `${D}/rs1/scale`);
  assert.equal(scale.status, 200, scale.text);
  assert.equal(obj(scale.body).kind, 'Scale');
  assert.equal(obj(scale.body).apiVersion, 'autoscaling/v1');
  assert.deepEqual(obj(scale.body).spec, { replicas: 2 });
  assert.equal(obj(obj(scale.body).status).selector, 'app=rs1');
  const put = await s.request('PUT', `${D}/rs1/scale`, { ...obj(scale.body), spec: { replicas: 4 } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual(obj(put.body).spec, { replicas: 4 });
  const patch = await s.request('PATCH', `${D}/rs1/scale`, { spec: { replicas: 0 } }, { 'content-type': 'application/merge-patch+json' });
  assert.deepEqual(obj(patch.body).spec, { replicas: 0 });
  const neg = await s.request('PATCH', `${D}/rs1/scale`, { spec: { replicas: -1 } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(neg.status, 422);
  const got = await s.request('GET', `${D}/rs1`);
  assert.equal(obj(obj(got.body).spec).replicas, 0);
});

test('pods/binding sets spec.nodeName once; a second binding is 409', async () => {
  await s.request('POST', PODS, pod('b1'));
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } };
  const res = await s.request('POST', `${PODS}/b1/binding`, binding);
  assert.equal(res.status, 201, res.text);
  assert.equal(obj(res.body).status, 'Success');
  const got = obj((await s.request('GET', `${PODS}/b1`)).body);
  assert.equal(obj(got.spec).nodeName, 'node-a');
  const conds = obj(got.status).conditions;
  assert.ok(Array.isArray(conds) && conds.some((c) => obj(c).type === 'PodScheduled' && obj(c).status === 'True'));
  const again = await s.request('POST', `${PODS}/b1/binding`, { ...binding, target: { kind: 'Node', name: 'node-b' } });
  assert.equal(again.status, 409);
  assert.equal(obj(again.body).message, 'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "node-a"');
});

test('dryRun=All validates and answers without storing', async () => {
  const res = await s.request('POST', `${PODS}?dryRun=All`, pod('dry'));
  assert.equal(res.status, 201, res.text);
  assert.equal((await s.request('GET', `${PODS}/dry`)).status, 404);
});

test('invalid objects are 422 Invalid with field causes', async () => {
  const res = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
  assert.equal(res.status, 422, res.text);
  const body = obj(res.body);
  assert.equal(body.reason, 'Invalid');
  assert.match(String(body.message), /^Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
  const details = obj(body.details);
  assert.equal(details.kind, 'Pod');
  assert.ok(Array.isArray(details.causes) && details.causes.some((c) => obj(c).field === 'metadata.name'));
  const noContainers = await s.request('POST', PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'empty' }, spec: {} });
  assert.equal(noContainers.status, 422);
});

test('list returns a <Kind>List with the store revision; Table when asked', async () => {
  const list = await s.request('GET', PODS);
  assert.equal(list.status, 200);
  const body = obj(list.body);
  assert.equal(body.kind, 'PodList');
  assert.equal(body.apiVersion, 'v1');
  assert.match(String(obj(body.metadata).resourceVersion), /^\d+$/);
  assert.ok(Array.isArray(body.items) && body.items.length > 0);
  assert.equal(obj(body.items[0]).kind, undefined);
  const table = await s.request('GET', PODS, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  assert.equal(obj(table.body).kind, 'Table');
  assert.ok(Array.isArray(obj(table.body).columnDefinitions));
  assert.equal(obj(obj(table.body).metadata).resourceVersion, obj(body.metadata).resourceVersion);
  const meta1 = await s.request('GET', `${PODS}/p1`, undefined, { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' });
  assert.equal(obj(meta1.body).kind, 'PartialObjectMetadata');
  const proto = await s.request('GET', PODS, undefined, { accept: 'application/vnd.kubernetes.protobuf' });
  assert.equal(proto.status, 406);
  const protoOrJson = await s.request('GET', PODS, undefined, { accept: 'application/vnd.kubernetes.protobuf, application/json' });
  assert.equal(protoOrJson.status, 200);
});

test('label and field selectors filter lists; unsupported fields are 400', async () => {
  await s.request('POST', PODS, pod('sel-a', { metadata: { name: 'sel-a', labels: { tier: 'front' } } }));
  await s.request('POST', PODS, pod('sel-b', { metadata: { name: 'sel-b', labels: { tier: 'back' } } }));
  const names = async (q: string): Promise<string[]> => {
    const res = await s.request('GET', `${PODS}?${q}`);
    assert.equal(res.status, 200, res.text);
    const items = obj(res.body).items;
    assert.ok(Array.isArray(items));
    return items.map((i) => String(meta(i).name)).sort();
  };
  assert.deepEqual(await names('labelSelector=tier%3Dfront'), ['sel-a']);
  assert.deepEqual(await names('labelSelector=tier%20in%20(front,back)'), ['sel-a', 'sel-b']);
  assert.deepEqual(await names('fieldSelector=metadata.name%3Dsel-b'), ['sel-b']);
  assert.deepEqual(await names('labelSelector=tier&fieldSelector=metadata.name!%3Dsel-a'), ['sel-b']);
  const bad = await s.request('GET', `${PODS}?fieldSelector=spec.nope%3Dx`);
  assert.equal(bad.status, 400);
  const badLabel = await s.request('GET', `${PODS}?labelSelector=%3D%3D%3D`);
  assert.equal(badLabel.status, 400);
});

test('cluster-scoped resources and discovery', async () => {
  const node = await s.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { capacity: { cpu: '2' } } });
  assert.equal(node.status, 201, node.text);
  assert.equal(meta(node.body).namespace, undefined);
  assert.deepEqual(obj(obj(node.body).status).allocatable, { cpu: '2' });
  const wrongScope = await s.request('GET', '/api/v1/namespaces/default/nodes/n1');
  assert.equal(wrongScope.status, 404);
  const api = obj((await s.request('GET', '/api')).body);
  assert.deepEqual(api.versions, ['v1']);
  const v1 = obj((await s.request('GET', '/api/v1')).body);
  assert.equal(v1.kind, 'APIResourceList');
  const apps = obj((await s.request('GET', '/apis/apps/v1')).body);
  const resources = apps.resources;
  assert.ok(Array.isArray(resources));
  assert.ok(resources.some((r) => obj(r).name === 'deployments/scale' && obj(r).group === 'autoscaling' && obj(r).kind === 'Scale'));
  const version = obj((await fetch(`${s.url}/version`)).ok ? await (await fetch(`${s.url}/version`)).json() : {});
  assert.match(String(version.gitVersion), /^v1\.\d+\.\d+/);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
});

test('authentication: anonymous is 401 except health and version', async () => {
  const res = await fetch(`${s.url}${PODS}`);
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  assert.equal((await fetch(`${s.url}/api`)).status, 401);
  assert.equal((await fetch(`${s.url}/livez`)).status, 200);
});
