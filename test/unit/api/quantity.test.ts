import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuToMilli, memoryToBytes, parseQuantity } from '../../../src/api/quantity.js';
import { isNodeletError } from '../../../src/base/errors.js';

// Cases follow apimachinery resource.ParseQuantity and its quantity_test.go tables.
test('parseQuantity: decimal SI, binary SI and exponent suffixes (resource.ParseQuantity)', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['1', 1],
    ['100m', 0.1],
    ['1500m', 1.5],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['+1', 1],
    ['-1k', -1000],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['2n', 2e-9],
    ['3u', 3e-6],
    ['1Ki', 1024],
    ['1Mi', 1048576],
    ['1Gi', 1073741824],
    ['1.5Gi', 1610612736],
    ['1Ti', 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1.5e3', 1500],
    ['1e-3', 0.001],
    ['128974848', 128974848],
    ['129e6', 129000000],
    ['123Mi', 128974848],
  ];
  for (const [s, want] of cases) assert.equal(parseQuantity(s), want, s);
});

test('parseQuantity: malformed quantities are InvalidArgument (ErrFormatWrong)', () => {
  for (const s of ['', '.', 'abc', '1 Gi', '1Gb', '1KI', '1k3', 'Gi', '1e', '1e3.5', '--1', '1.2.3', ' 1', '1e1000']) {
    assert.throws(() => parseQuantity(s), (e) => isNodeletError(e, 'InvalidArgument'), JSON.stringify(s));
  }
});

test('cpuToMilli rounds up like Quantity.MilliValue', () => {
  const cases: Array<[string, number]> = [
    ['1', 1000],
    ['100m', 100],
    ['0.1', 100],
    ['0.1m', 1],
    ['1.0001', 1001],
    ['2.5', 2500],
    ['1e-3', 1],
    ['1n', 1],
  ];
  for (const [s, want] of cases) assert.equal(cpuToMilli(s), want, s);
});

test('memoryToBytes rounds up like Quantity.Value', () => {
  const cases: Array<[string, number]> = [
    ['1Gi', 1073741824],
    ['64Mi', 67108864],
    ['1.5', 2],
    ['100m', 1],
    ['1000m', 1],
    ['1e9', 1e9],
    ['0', 0],
    ['-1.5', -2],
  ];
  for (const [s, want] of cases) assert.equal(memoryToBytes(s), want, s);
});
