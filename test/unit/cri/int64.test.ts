import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { int64ToBigInt, int64ToNumber, nanosToDate, toWireInt64 } from '../../../src/cri/int64.js';

test('nanosecond timestamps keep every digit as bigint', () => {
  // 2^53 + 1 would round as a number; an epoch timestamp in ns is far past it.
  assert.equal(int64ToBigInt('1700000000123456789'), 1_700_000_000_123_456_789n);
  assert.equal(int64ToBigInt('9007199254740993'), 9_007_199_254_740_993n);
  assert.equal(int64ToBigInt('-42'), -42n);
  assert.equal(int64ToBigInt('9223372036854775807'), 2n ** 63n - 1n);
  assert.equal(int64ToBigInt(undefined), 0n);
  assert.equal(int64ToBigInt(null), 0n);
  assert.equal(int64ToBigInt(''), 0n);
  assert.equal(int64ToBigInt(12), 12n);
});

test('other int64 fields become numbers, exact within 2^53', () => {
  assert.equal(int64ToNumber('1073741824'), 1_073_741_824);
  assert.equal(int64ToNumber('-1000'), -1000);
  assert.equal(int64ToNumber(7), 7);
  assert.equal(int64ToNumber(undefined), 0);
  // uint64 max ("unlimited" sentinels) rounds rather than failing the reply.
  assert.equal(int64ToNumber('18446744073709551615'), 18446744073709551616);
});

test('malformed int64 values in a reply are Internal errors naming the field', () => {
  for (const bad of ['12x', '1.5', 1.5, {}, true]) {
    assert.throws(
      () => int64ToBigInt(bad, 'ContainerStatus.createdAt'),
      (err: unknown) => isNodeletError(err, ErrorCode.Internal) && err.message.includes('ContainerStatus.createdAt'),
    );
  }
});

test('values sent as int64 must be exact integers within range', () => {
  assert.equal(toWireInt64(30), '30');
  assert.equal(toWireInt64(0), '0');
  assert.equal(toWireInt64(2n ** 63n - 1n), '9223372036854775807');
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 2n ** 63n, -(2n ** 63n) - 1n]) {
    assert.throws(
      () => toWireInt64(bad, 'timeout'),
      (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument),
      String(bad),
    );
  }
});

test('nanosToDate treats 0 as unset and keeps millisecond precision', () => {
  assert.equal(nanosToDate(0n), undefined);
  assert.equal(nanosToDate(1_700_000_000_123_456_789n)?.getTime(), 1_700_000_000_123);
});
