// OpenAPI: the v3 documents kubectl checks for server-side field validation, and the v2 document
// (protobuf as kubectl reads it) that must hold no kind, so that kubectl leaves unknown kinds to discovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptsProtobuf, encodeOpenApiV2, openApiV2Document } from '../../../src/apiserver/openapi-v2.js';
import { openApiDocument, openApiIndex } from '../../../src/apiserver/openapi.js';
import { isJsonObject } from '../../../src/api/object.js';

interface ProtoField {
  num: number;
  bytes: Buffer;
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let i = at;
  for (;;) {
    const b = buf[i];
    assert.ok(b !== undefined, `varint runs past the end at ${i}`);
    value += (b & 0x7f) * scale;
    scale *= 0x80;
    i++;
    if ((b & 0x80) === 0) return { value, next: i };
  }
}

/** The fields of one message; only length-delimited fields are expected here. */
function decodeMessage(buf: Buffer): ProtoField[] {
  const out: ProtoField[] = [];
  let at = 0;
  while (at < buf.length) {
    const tag = readVarint(buf, at);
    assert.equal(tag.value & 7, 2, `field ${tag.value >> 3} is length-delimited`);
    const len = readVarint(buf, tag.next);
    const end = len.next + len.value;
    assert.ok(end <= buf.length, 'the field fits in the message');
    out.push({ num: tag.value >> 3, bytes: buf.subarray(len.next, end) });
    at = end;
  }
  return out;
}

/** The JSON document's info.version, a Kubernetes version such as v1.33.0. */
function jsonInfoVersion(): string {
  const info = openApiV2Document()['info'];
  assert.ok(isJsonObject(info));
  const version = info['version'];
  assert.ok(typeof version === 'string' && /^v\d+\.\d+\.0$/.test(version), String(version));
  return version;
}

test('openapi v2 protobuf: swagger 2.0, info, empty paths and definitions, as gnostic field numbers', () => {
  const doc = decodeMessage(encodeOpenApiV2());
  assert.deepEqual(
    doc.map((f) => f.num),
    [1, 2, 8, 9],
  );
  assert.equal(doc[0]?.bytes.toString(), '2.0');
  const info = decodeMessage(doc[1]?.bytes ?? Buffer.alloc(0));
  assert.deepEqual(
    info.map((f) => [f.num, f.bytes.toString()]),
    [
      [1, 'Kubernetes'],
      [2, jsonInfoVersion()],
    ],
  );
  assert.equal(doc[2]?.bytes.length, 0, 'no paths: kubectl finds no kind, not even Namespace');
  assert.equal(doc[3]?.bytes.length, 0, 'no definitions: kubectl has no schema to validate against');
});

test('openapi v2 JSON: the same empty document', () => {
  assert.deepEqual(openApiV2Document(), { swagger: '2.0', info: { title: 'Kubernetes', version: jsonInfoVersion() }, paths: {}, definitions: {} });
});

test('openapi v2: protobuf only when the Accept header asks for it', () => {
  assert.equal(acceptsProtobuf('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), true);
  assert.equal(acceptsProtobuf('application/json;q=0.9, application/com.github.proto-openapi.spec.v2.v1.0+protobuf'), true);
  assert.equal(acceptsProtobuf('application/json'), false);
  assert.equal(acceptsProtobuf(undefined), false);
  assert.equal(acceptsProtobuf('*/*'), false);
});

test('openapi v3: each served group/version lists PATCH with its kind and fieldValidation', () => {
  const index = openApiIndex()['paths'];
  assert.ok(isJsonObject(index));
  assert.ok('api/v1' in index && 'apis/apps/v1' in index, Object.keys(index).join(', '));
  const apps = openApiDocument('apis/apps/v1');
  assert.ok(apps !== undefined);
  const paths = apps['paths'];
  assert.ok(isJsonObject(paths));
  const deployment = paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.ok(isJsonObject(deployment) && isJsonObject(deployment['patch']));
  assert.deepEqual(deployment['patch']['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  const params = deployment['patch']['parameters'];
  assert.ok(Array.isArray(params) && params.some((p) => isJsonObject(p) && p['name'] === 'fieldValidation' && p['in'] === 'query'));
  // A group/version that is not served has no document: kubectl then treats the kind as unknown.
  assert.equal(openApiDocument('apis/apps/v2'), undefined);
  assert.equal(openApiDocument('apis/apiextensions.k8s.io/v1'), undefined);
});
