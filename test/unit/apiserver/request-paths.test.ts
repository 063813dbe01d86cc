// Request paths, keys and continue tokens: the pure addressing parts of the apiserver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestInfo } from '../../../src/apiserver/request-info.js';
import { listPrefix, objectKey, parseKey } from '../../../src/apiserver/keys.js';
import { decodeContinue, encodeContinue } from '../../../src/apiserver/continue-token.js';
import { findResource } from '../../../src/apiserver/resources.js';
import { ApiError } from '../../../src/apiserver/status.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

test('request info: core and group paths, namespaces, subresources, verbs', () => {
  const cases: Array<[string, string, string, Record<string, unknown>]> = [
    ['GET', '/api/v1/namespaces/default/pods', '', { verb: 'list', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/default/pods/p1', '', { verb: 'get', name: 'p1' }],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=true', { verb: 'watch' }],
    ['GET', '/api/v1/watch/namespaces/default/pods/p1', '', { verb: 'watch', name: 'p1', legacyWatch: true }],
    ['PUT', '/api/v1/namespaces/default/pods/p1/status', '', { verb: 'update', subresource: 'status' }],
    ['POST', '/api/v1/namespaces/default/pods/p1/binding', '', { verb: 'create', subresource: 'binding' }],
    ['GET', '/api/v1/namespaces', '', { verb: 'list', resource: 'namespaces', namespace: '' }],
    ['GET', '/api/v1/namespaces/kube-system', '', { verb: 'get', resource: 'namespaces', name: 'kube-system' }],
    ['PUT', '/api/v1/namespaces/ns1/finalize', '', { verb: 'update', resource: 'namespaces', name: 'ns1', subresource: 'finalize' }],
    ['DELETE', '/api/v1/namespaces/ns1/configmaps', '', { verb: 'deletecollection', resource: 'configmaps' }],
    ['PATCH', '/apis/apps/v1/namespaces/d/deployments/x/scale', '', { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale' }],
    ['GET', '/api/v1/nodes', '', { verb: 'list', resource: 'nodes', namespace: '' }],
  ];
  for (const [method, path, query, want] of cases) {
    const info = parseRequestInfo(method, path, q(query));
    assert.ok(info?.isResource, path);
    for (const [k, v] of Object.entries(want)) assert.equal((info as unknown as Record<string, unknown>)[k], v, `${method} ${path} ${k}`);
  }
});

test('request info: non-resource paths and unknown methods', () => {
  for (const path of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/healthz', '/', '/api/v1//pods']) {
    assert.equal(parseRequestInfo('GET', path, q())?.isResource, false, path);
  }
  assert.equal(parseRequestInfo('OPTIONS', '/api/v1/pods', q()), undefined);
  assert.equal(parseRequestInfo('GET', '/api/v1/namespaces/%zz/pods', q())?.isResource, false);
});

test('keys: layout per scope, and back', () => {
  const pods = findResource('', 'v1', 'pods');
  const nodes = findResource('', 'v1', 'nodes');
  assert.ok(pods !== undefined && nodes !== undefined);
  assert.equal(objectKey(pods, 'default', 'p1'), '/registry/pods/default/p1');
  assert.equal(objectKey(nodes, '', 'n1'), '/registry/nodes/n1');
  assert.equal(listPrefix(pods, 'default'), '/registry/pods/default/');
  assert.equal(listPrefix(pods, ''), '/registry/pods/');
  assert.deepEqual(parseKey('/registry/pods/default/p1'), { resource: pods, namespace: 'default', name: 'p1' });
  assert.deepEqual(parseKey('/registry/nodes/n1'), { resource: nodes, namespace: '', name: 'n1' });
  assert.equal(parseKey('/registry/pods/default'), undefined);
  assert.equal(parseKey('/registry/gizmos/a/b'), undefined);
  assert.equal(parseKey('/nodelet/allocations/serviceips/10.0.0.1'), undefined);
});

test('continue tokens round-trip and refuse what this server did not issue', () => {
  const token = encodeContinue({ revision: 42, lastKey: 'default/p1' });
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeContinue(token), { revision: 42, lastKey: 'default/p1' });
  const bad = (t: string): void => {
    assert.throws(() => decodeContinue(t), (err: unknown) => err instanceof ApiError && err.code === 400);
  };
  bad('not-a-token');
  bad(Buffer.from('{"v":"meta.k8s.io/v1","rv":-1,"start":"a"}').toString('base64url'));
  bad(Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"../secrets/x"}').toString('base64url'));
  bad(Buffer.from('{"v":"meta.k8s.io/v1","rv":1,"start":"/registry/secrets/x"}').toString('base64url'));
  bad(Buffer.from('{"v":"other","rv":1,"start":"a"}').toString('base64url'));
});
