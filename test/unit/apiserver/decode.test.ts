// Request bodies into objects: kind/apiVersion defaulting and checks, metadata shape, nulls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropNulls, toKubeObject } from '../../../src/apiserver/handlers/decode.js';
import { decodeBody } from '../../../src/apiserver/body.js';
import { ApiError } from '../../../src/apiserver/status.js';

const POD = { group: '', version: 'v1', kind: 'Pod' };

function badRequest(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === 400 && message.test(e.message));
}

test('apiVersion and kind default from the URL; others are refused as upstream words it', () => {
  const obj = toKubeObject({ metadata: { name: 'p' } }, POD);
  assert.equal(obj.apiVersion, 'v1');
  assert.equal(obj.kind, 'Pod');
  badRequest(() => toKubeObject({ apiVersion: 'v1', kind: 'Service' }, POD), /^Service in version "v1" cannot be handled as a Pod/);
  badRequest(() => toKubeObject({ apiVersion: 'apps/v1', kind: 'Pod' }, POD), /no kind "Pod" is registered for version "apps\/v1"/);
  badRequest(() => toKubeObject({ apiVersion: 'v1', kind: 'Pod', metadata: [] }, POD), /metadata must be an object/);
  badRequest(() => toKubeObject({ metadata: { generation: 'x' } }, POD), /metadata.generation: expected an integer/);
  badRequest(() => toKubeObject({ metadata: { ownerReferences: [{ uid: 5 }] } }, POD), /ownerReferences\[0\].uid/);
});

test('nulls are dropped from objects, as decoding into typed structs does', () => {
  assert.deepEqual(dropNulls({ a: null, b: { c: null, d: 1 }, e: [null, { f: null }] }), { b: { d: 1 }, e: [null, {}] });
  const obj = toKubeObject({ metadata: { name: 'p', creationTimestamp: null } }, POD);
  assert.deepEqual(obj.metadata, { name: 'p' });
});

test('bodies: JSON or YAML by Content-Type; anything else is 415', () => {
  assert.deepEqual(decodeBody(Buffer.from('{"a":1}'), 'application/json; charset=utf-8'), { a: 1 });
  assert.deepEqual(decodeBody(Buffer.from('a: 1\nb: [x]\n'), 'application/yaml'), { a: 1, b: ['x'] });
  assert.deepEqual(decodeBody(Buffer.from('{"a":1}'), undefined), { a: 1 });
  assert.throws(() => decodeBody(Buffer.from('x'), 'application/vnd.kubernetes.protobuf'), (e: unknown) => e instanceof ApiError && e.code === 415);
  badRequest(() => decodeBody(Buffer.from('{'), 'application/json'), /json parse error/);
  badRequest(() => decodeBody(Buffer.from('a: [1'), 'application/yaml'), /YAML/);
});
