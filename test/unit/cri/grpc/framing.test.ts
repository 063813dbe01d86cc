import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageDecoder, encodeMessage } from '../../../../src/cri/grpc/framing.js';
import { GrpcCallError, GrpcStatus } from '../../../../src/cri/grpc/status.js';

function frame(flag: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(5);
  h[0] = flag;
  h.writeUInt32BE(payload.length, 1);
  return Buffer.concat([h, payload]);
}

function rejectsWithStatus(code: number) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof GrpcCallError, `expected a GrpcCallError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

test('encodeMessage writes flag 0, the big-endian length, then the bytes', () => {
  assert.deepEqual(encodeMessage(Buffer.from('abc')), Buffer.from([0, 0, 0, 0, 3, 0x61, 0x62, 0x63]));
  assert.deepEqual(encodeMessage(Buffer.alloc(0)), Buffer.from([0, 0, 0, 0, 0]));
  const big = encodeMessage(Buffer.alloc(0x012345));
  assert.deepEqual(big.subarray(0, 5), Buffer.from([0, 0, 0x01, 0x23, 0x45]));
  assert.equal(big.length, 5 + 0x012345);
});

test('encodeMessage refuses a message over the limit: RESOURCE_EXHAUSTED', () => {
  assert.throws(() => encodeMessage(Buffer.alloc(11), 10), rejectsWithStatus(GrpcStatus.RESOURCE_EXHAUSTED));
  assert.equal(encodeMessage(Buffer.alloc(10), 10).length, 15);
});

test('a message in one chunk comes out whole', () => {
  const d = new MessageDecoder();
  assert.deepEqual(d.push(frame(0, Buffer.from('hello'))), [Buffer.from('hello')]);
  assert.ok(d.idle);
});

test('messages packed in one chunk come out in order, including empty ones', () => {
  const d = new MessageDecoder();
  const chunk = Buffer.concat([frame(0, Buffer.from('a')), frame(0, Buffer.alloc(0)), frame(0, Buffer.from('bcd'))]);
  assert.deepEqual(d.push(chunk), [Buffer.from('a'), Buffer.alloc(0), Buffer.from('bcd')]);
  assert.ok(d.idle);
});

test('a message split at every byte boundary, header included, comes out once complete', () => {
  const wire = Buffer.concat([frame(0, Buffer.from('split me')), frame(0, Buffer.from('and me'))]);
  for (let size = 1; size <= wire.length; size++) {
    const d = new MessageDecoder();
    const got: Buffer[] = [];
    for (let i = 0; i < wire.length; i += size) got.push(...d.push(wire.subarray(i, i + size)));
    assert.deepEqual(got, [Buffer.from('split me'), Buffer.from('and me')], `chunk size ${size}`);
    assert.ok(d.idle);
  }
});

test('a large message in many small chunks comes out intact', () => {
  const payload = Buffer.alloc(1 << 20);
  for (let i = 0; i < payload.length; i++) payload[i] = i % 251;
  const wire = frame(0, payload);
  const d = new MessageDecoder();
  const got: Buffer[] = [];
  for (let i = 0; i < wire.length; i += 1000) got.push(...d.push(wire.subarray(i, i + 1000)));
  assert.equal(got.length, 1);
  assert.ok(got[0]?.equals(payload));
});

test('idle is false inside a header or a message', () => {
  const d = new MessageDecoder();
  const wire = frame(0, Buffer.from('xy'));
  d.push(wire.subarray(0, 3));
  assert.equal(d.idle, false);
  d.push(wire.subarray(3, 6));
  assert.equal(d.idle, false);
  assert.deepEqual(d.push(wire.subarray(6)), [Buffer.from('xy')]);
  assert.equal(d.idle, true);
});

test('a compressed message is INTERNAL: we never negotiate an encoding', () => {
  assert.throws(() => new MessageDecoder().push(frame(1, Buffer.from('zz'))), rejectsWithStatus(GrpcStatus.INTERNAL));
});

test('an oversize message is RESOURCE_EXHAUSTED as soon as its header arrives', () => {
  const d = new MessageDecoder(10);
  const header = frame(0, Buffer.alloc(11)).subarray(0, 5);
  assert.throws(() => d.push(header), rejectsWithStatus(GrpcStatus.RESOURCE_EXHAUSTED));
  assert.deepEqual(new MessageDecoder(10).push(frame(0, Buffer.alloc(10))), [Buffer.alloc(10)]);
});
