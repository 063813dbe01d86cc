// Field-level decoding: unknown fields refused by number, Go's omitempty and pointer semantics,
// and the special messages (Time, IntOrString, Quantity, raw JSON, bytes).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../../../src/apiserver/status.js';
import { formatTime } from '../../../../src/apiserver/protobuf/decode.js';
import { decodeProtobufBody } from '../../../../src/apiserver/protobuf/envelope.js';
import { parseField } from '../../../../src/apiserver/protobuf/schema.js';
import { bytes, entry, envelope, int, msg } from './encode.js';

const podWithSpec = (...spec: Buffer[]): Buffer => envelope('v1', 'Pod', Buffer.concat([msg(1, bytes(1, 'p')), msg(2, ...spec)]));
const container = (...fields: Buffer[]): Buffer => msg(2, bytes(1, 'c'), ...fields);

function badRequest(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === 400 && pattern.test(e.message));
}

test('an unknown field number in a known message is refused, naming the message and number', () => {
  badRequest(() => decodeProtobufBody(podWithSpec(bytes(99, 'x'))), /k8s\.io\.api\.core\.v1\.PodSpec field 99/);
  badRequest(() => decodeProtobufBody(podWithSpec(container(int(77, 1)))), /k8s\.io\.api\.core\.v1\.Container field 77/);
  badRequest(() => decodeProtobufBody(envelope('v1', 'ConfigMap', msg(1, bytes(16, 'x')))), /meta\.v1\.ObjectMeta field 16/);
});

test('a field with the wrong wire type is refused', () => {
  badRequest(() => decodeProtobufBody(envelope('v1', 'ConfigMap', msg(1, int(1, 5)))), /ObjectMeta field 1 \(name\): expected string, got wire type 0/);
});

test('omitempty drops zero scalars; pointer and required fields keep present zeros', () => {
  const spec = Buffer.concat([
    int(1, 0), // replicas *int32 = 0
    int(5, 0), // minReadySeconds = 0 (omitempty)
    int(7, 0), // paused = false (omitempty)
    int(6, 0), // revisionHistoryLimit *int32 = 0
    msg(3, msg(2, container(bytes(2, ''), msg(6, bytes(1, ''), int(3, 0)), int(16, 0)))),
  ]);
  const obj = decodeProtobufBody(envelope('apps/v1', 'Deployment', Buffer.concat([msg(1, bytes(1, 'd')), msg(2, spec)])));
  assert.deepEqual(obj.spec, {
    replicas: 0,
    revisionHistoryLimit: 0,
    template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] } },
  });
});

test('Time: seconds to RFC 3339 (nanos dropped as upstream does); an empty Time is omitted', () => {
  const m = Buffer.concat([bytes(1, 'x'), msg(8, int(1, 1_700_000_000), int(2, 5)), msg(9)]);
  const obj = decodeProtobufBody(envelope('v1', 'ConfigMap', msg(1, m)));
  assert.deepEqual(obj.metadata, { name: 'x', creationTimestamp: '2023-11-14T22:13:20Z' });
  assert.equal(formatTime(1_700_000_000n, 123_456_789, true), '2023-11-14T22:13:20.123456Z');
  assert.equal(formatTime(0n, 0, false), '1970-01-01T00:00:00Z');
});

test('IntOrString is a number or a string by its type; Quantity is its string', () => {
  const svc = msg(2, msg(1, int(3, 80), msg(4, int(1, 1), int(2, 0), bytes(3, 'http'))), msg(1, int(3, 81), msg(4, int(1, 0), int(2, 8081), bytes(3, ''))));
  const s = decodeProtobufBody(envelope('v1', 'Service', svc));
  assert.deepEqual(s.spec, { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] });

  const resources = msg(8, entry(1, 'cpu', msg(2, bytes(1, '100m'))), entry(2, 'memory', msg(2, bytes(1, '64Mi'))));
  const pod = decodeProtobufBody(podWithSpec(container(resources)));
  assert.deepEqual(pod.spec, { containers: [{ name: 'c', resources: { limits: { cpu: '100m' }, requests: { memory: '64Mi' } } }] });
});

test('Secret data (map<string, bytes>) keeps arbitrary bytes, base64 in JSON', () => {
  const raw = Buffer.from([0, 255, 128, 10, 0xc3]);
  const obj = decodeProtobufBody(envelope('v1', 'Secret', Buffer.concat([msg(1, bytes(1, 's')), entry(2, 'bin', bytes(2, raw))])));
  assert.deepEqual(obj.data, { bin: raw.toString('base64') });
});

test('negative int32 (ten-byte varint), int64 and inlined embedded structs', () => {
  const env = msg(7, bytes(1, 'K'), msg(3, msg(4, msg(1, bytes(1, 'sec')), bytes(2, 'key'), int(3, 0))));
  const obj = decodeProtobufBody(podWithSpec(int(4, -1), container(env)));
  assert.deepEqual(obj.spec, {
    terminationGracePeriodSeconds: -1,
    containers: [{ name: 'c', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'sec', key: 'key', optional: false } } }] }],
  });
});

test('managedFields: fieldsV1 raw bytes become the JSON object', () => {
  const mf = msg(17, bytes(1, 'kubectl'), bytes(2, 'Update'), bytes(3, 'v1'), bytes(6, 'FieldsV1'), msg(7, bytes(1, '{"f:data":{}}')));
  const obj = decodeProtobufBody(envelope('v1', 'ConfigMap', msg(1, bytes(1, 'x'), mf)));
  assert.deepEqual(obj.metadata, {
    name: 'x',
    managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
  });
});

test('schema entries parse type, repetition and presence', () => {
  assert.deepEqual(parseField('replicas:1:int32?'), { json: 'replicas', number: 1, type: 'int32', repeated: false, map: false, presence: 'pointer' });
  assert.deepEqual(parseField('ports:6:[]ContainerPort'), { json: 'ports', number: 6, type: 'ContainerPort', repeated: true, map: false, presence: 'omitempty' });
  assert.deepEqual(parseField('labels:11:{}string'), { json: 'labels', number: 11, type: 'string', repeated: false, map: true, presence: 'omitempty' });
  assert.throws(() => parseField('bad'), /bad protobuf schema entry/);
});
