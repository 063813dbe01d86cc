// The Authorizer seam: a denial is upstream's 403 Forbidden with who, what and where.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './server.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({
    authorizer: { authorize: (a) => (a.resource === 'secrets' ? 'secrets are off limits' : undefined) },
  });
});
after(() => s.close());

test('a denied request is 403 Forbidden naming user, verb, resource and namespace', async () => {
  const res = await s.request('GET', '/api/v1/namespaces/default/secrets');
  assert.equal(res.status, 403);
  assert.deepEqual(res.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'secrets is forbidden: User "test-admin" cannot list resource "secrets" in API group "" in the namespace "default": secrets are off limits',
    reason: 'Forbidden',
    details: { kind: 'secrets' },
    code: 403,
  });
  const named = await s.request('GET', '/api/v1/namespaces/default/secrets/x');
  assert.match(String((named.body as { message: string }).message), /^secrets "x" is forbidden: User "test-admin" cannot get resource "secrets"/);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps')).status, 200);
});
