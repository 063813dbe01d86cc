// Bad input gets upstream's status code and a clear message, and the server stays up after each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, TEST_TOKEN, type TestServer } from './server.js';
import { isJsonObject, type JsonObject } from '../../../src/api/object.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const PODS = '/api/v1/namespaces/default/pods';

function obj(v: unknown): JsonObject {
  assert.ok(isJsonObject(v), `expected a JSON object, got ${JSON.stringify(v)}`);
  return v;
}

async function stillUp(): Promise<void> {
  const res = await s.request('GET', '/api/v1/namespaces/default');
  assert.equal(res.status, 200, 'the server must stay up');
}

const cases: Array<{ name: string; method: string; path: string; body: string | Uint8Array; type?: string; status: number; reason: string; message?: RegExp }> = [
  { name: 'malformed JSON', method: 'POST', path: PODS, body: '{"apiVersion":"v1","kind":"Po', status: 400, reason: 'BadRequest', message: /json parse error/ },
  { name: 'a JSON array', method: 'POST', path: PODS, body: '[1,2]', status: 400, reason: 'BadRequest' },
  { name: 'a JSON string', method: 'POST', path: PODS, body: '"pod"', status: 400, reason: 'BadRequest' },
  { name: 'an empty body', method: 'POST', path: PODS, body: '', status: 400, reason: 'BadRequest', message: /empty/ },
  { name: 'malformed YAML', method: 'POST', path: PODS, body: 'metadata: [unclosed', type: 'application/yaml', status: 400, reason: 'BadRequest', message: /YAML/ },
  {
    name: 'another kind',
    method: 'POST',
    path: PODS,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }),
    status: 400,
    reason: 'BadRequest',
    message: /^Service in version "v1" cannot be handled as a Pod/,
  },
  {
    name: 'an unknown kind',
    method: 'POST',
    path: PODS,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Gizmo', metadata: { name: 'x' } }),
    status: 400,
    reason: 'BadRequest',
    message: /no kind "Gizmo" is registered for version "v1"/,
  },
  {
    name: 'a wrong apiVersion',
    method: 'POST',
    path: PODS,
    body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Pod', metadata: { name: 'x' } }),
    status: 400,
    reason: 'BadRequest',
    message: /no kind "Pod" is registered for version "apps\/v1"/,
  },
  {
    name: 'metadata of the wrong type',
    method: 'POST',
    path: PODS,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 5 } }),
    status: 400,
    reason: 'BadRequest',
    message: /metadata.name: expected a string/,
  },
  {
    name: 'labels of the wrong type',
    method: 'POST',
    path: PODS,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { a: 1 } } }),
    status: 400,
    reason: 'BadRequest',
  },
  {
    name: 'an invalid name',
    method: 'POST',
    path: '/api/v1/namespaces/default/configmaps',
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Not_Valid' } }),
    status: 422,
    reason: 'Invalid',
    message: /^ConfigMap "Not_Valid" is invalid: metadata.name/,
  },
  { name: 'a protobuf envelope without a type', method: 'POST', path: PODS, body: new Uint8Array([0x6b, 0x38, 0x73, 0]), type: 'application/vnd.kubernetes.protobuf', status: 400, reason: 'BadRequest', message: /carries no apiVersion and kind/ },
  { name: 'a protobuf body without the k8s envelope', method: 'POST', path: PODS, body: new Uint8Array([0x0a, 0x02, 0x68, 0x69]), type: 'application/vnd.kubernetes.protobuf', status: 415, reason: 'UnsupportedMediaType' },
  { name: 'an unknown resource', method: 'GET', path: '/api/v1/namespaces/default/gizmos', body: '', status: 404, reason: 'NotFound', message: /the server could not find the requested resource/ },
  { name: 'an unknown group', method: 'GET', path: '/apis/example.com/v1/namespaces/default/gizmos', body: '', status: 404, reason: 'NotFound' },
  { name: 'an unknown subresource', method: 'GET', path: `${PODS}/x/exec2`, body: '', status: 404, reason: 'NotFound' },
  { name: 'deletecollection of namespaces', method: 'DELETE', path: '/api/v1/namespaces', body: '', status: 405, reason: 'MethodNotAllowed' },
  { name: 'a bad continue token', method: 'GET', path: `${PODS}?limit=1&continue=garbage`, body: '', status: 400, reason: 'BadRequest', message: /continue/ },
  { name: 'a bad limit', method: 'GET', path: `${PODS}?limit=abc`, body: '', status: 400, reason: 'BadRequest' },
  { name: 'a bad resourceVersion', method: 'GET', path: `${PODS}?resourceVersion=abc`, body: '', status: 400, reason: 'BadRequest' },
  { name: 'a bad dryRun', method: 'POST', path: `${PODS}?dryRun=Maybe`, body: '{}', status: 400, reason: 'BadRequest' },
  { name: 'a bad patch', method: 'PATCH', path: `${PODS}/x`, body: '{not json', type: 'application/merge-patch+json', status: 400, reason: 'BadRequest' },
  { name: 'a bad propagationPolicy', method: 'DELETE', path: `${PODS}/x?propagationPolicy=Sideways`, body: '', status: 400, reason: 'BadRequest' },
];

for (const c of cases) {
  test(`${c.name} is ${c.status} ${c.reason}`, async () => {
    const res = await s.request(c.method, c.path, c.method === 'GET' ? undefined : c.body, { 'content-type': c.type ?? 'application/json' });
    assert.equal(res.status, c.status, res.text);
    const body = obj(res.body);
    assert.equal(body.kind, 'Status');
    assert.equal(body.reason, c.reason);
    assert.equal(body.code, c.status);
    if (c.message !== undefined) assert.match(String(body.message), c.message);
    await stillUp();
  });
}

test('a YAML body is accepted', async () => {
  const yaml = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: from-yaml', 'data:', '  a: "1"', ''].join('\n');
  const res = await s.request('POST', '/api/v1/namespaces/default/configmaps', yaml, { 'content-type': 'application/yaml' });
  assert.equal(res.status, 201, res.text);
  assert.deepEqual(obj(res.body).data, { a: '1' });
});

test('a body over 3 MiB is 413 RequestEntityTooLarge', async () => {
  const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } });
  const res = await s.request('POST', '/api/v1/namespaces/default/configmaps', big);
  assert.equal(res.status, 413);
  assert.deepEqual(res.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Request entity too large: limit is 3145728',
    reason: 'RequestEntityTooLarge',
    code: 413,
  });
  await stillUp();
});

test('a body over 3 MiB sent chunked (no Content-Length) is 413 too', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = http.request(`${s.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 16; i++) req.write(chunk);
    req.end();
  });
  assert.equal(status, 413);
  await stillUp();
});

test('an unsupported method is 405; a malformed path is 404', async () => {
  const res = await s.request('OPTIONS', PODS);
  assert.equal(res.status, 405);
  const weird = await s.request('GET', '/api/v1/namespaces/%ZZ/pods');
  assert.equal(weird.status, 404);
  await stillUp();
});
