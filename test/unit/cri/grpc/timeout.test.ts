import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeGrpcTimeout } from '../../../../src/cri/grpc/timeout.js';

test('grpc-timeout uses milliseconds while they fit in 8 digits, then coarser units, rounding up', () => {
  const table: Array<[number, string]> = [
    [1, '1m'],
    [200, '200m'],
    [120_000, '120000m'],
    [0.2, '1m'],
    [1.5, '2m'],
    [99_999_999, '99999999m'],
    [100_000_000, '100000S'],
    [100_000_001, '100001S'],
    [99_999_999_000, '99999999S'],
    [99_999_999_001, '1666667M'],
    [5_999_999_940_000, '99999999M'],
    [5_999_999_940_001, '1666667H'],
    [Number.MAX_VALUE, '99999999H'],
    [Infinity, '99999999H'],
  ];
  for (const [ms, want] of table) assert.equal(encodeGrpcTimeout(ms), want, `${ms} ms`);
});

test('a deadline already due is sent as 0m', () => {
  assert.equal(encodeGrpcTimeout(0), '0m');
  assert.equal(encodeGrpcTimeout(-5), '0m');
});

test('every value has at most 8 digits and a unit', () => {
  for (let ms = 1; ms < 1e20; ms *= 7) assert.match(encodeGrpcTimeout(ms), /^\d{1,8}[HMSm]$/, `${ms} ms`);
});
