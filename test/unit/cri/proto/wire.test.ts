// Wire primitives checked against BigInt arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireReader, WireWriter, int64String, unzigzag64, zigzag64 } from '../../../../src/cri/proto/wire.js';

const EDGES = [0n, 1n, 127n, 128n, 2n ** 28n - 1n, 2n ** 28n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 35n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n];

function halves(u: bigint): [number, number] {
  return [Number(u & 0xffffffffn), Number(u >> 32n)];
}

test('varint64 round-trips and decimal strings are exact, signed and unsigned', () => {
  for (const u of EDGES) {
    const w = new WireWriter(1);
    w.varint64(...halves(u));
    const rd = new WireReader(w.finish());
    rd.varint64(rd.buf.length);
    assert.equal(rd.pos, rd.buf.length);
    assert.deepEqual([rd.lo, rd.hi], halves(u));
    assert.equal(int64String(rd.lo, rd.hi, false), u.toString());
    assert.equal(int64String(rd.lo, rd.hi, true), BigInt.asIntN(64, u).toString());
  }
  assert.equal(int64String(0, 0xffe00000, true), (-(2n ** 53n)).toString());
  assert.equal(int64String(0xffffffff, 0xffdfffff, true), (-(2n ** 53n) - 1n).toString());
});

test('setInt64 and zigzag agree with BigInt', () => {
  const w = new WireWriter();
  for (const s of EDGES.flatMap((u) => [u, -u]).filter((v) => v >= -(2n ** 63n) && v < 2n ** 63n)) {
    assert.ok(w.setInt64(s.toString()));
    assert.deepEqual([w.lo, w.hi], halves(BigInt.asUintN(64, s)));
    assert.ok(w.setInt64(s));
    assert.deepEqual([w.lo, w.hi], halves(BigInt.asUintN(64, s)));
    zigzag64(w);
    const zz = s >= 0n ? s * 2n : -s * 2n - 1n;
    assert.deepEqual([w.lo, w.hi], halves(zz), `zigzag ${s}`);
    const rd = new WireReader(Buffer.alloc(0));
    [rd.lo, rd.hi] = [w.lo, w.hi];
    unzigzag64(rd);
    assert.equal(int64String(rd.lo, rd.hi, true), s.toString());
  }
  assert.equal(w.setInt64('1e3'), false);
  assert.equal(w.setInt64(-(2n ** 63n) - 1n), false);
});

test('int32 negatives take 10 bytes; ldelim moves bodies that need longer lengths', () => {
  const w = new WireWriter(4);
  w.int32(-1);
  assert.equal(w.pos, 10);
  for (const n of [0, 127, 128, 16383, 16384, 2_097_152]) {
    const out = new WireWriter(2);
    const at = out.fork();
    out.bytes(Buffer.alloc(n, 7).subarray(0, n)); // itself length-prefixed
    out.ldelim(at);
    const rd = new WireReader(out.finish());
    const end = rd.len(rd.buf.length);
    assert.equal(end, rd.buf.length, `body ${n}`);
    assert.equal(rd.bytes(end).length, n);
  }
});
