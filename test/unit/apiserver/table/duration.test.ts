import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, translateTimestampSince } from '../../../../src/apiserver/table/index.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('ages are duration.HumanDuration (the table printers\' translateTimestampSince)', () => {
  const cases: Array<[number, string]> = [
    [-2 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [47 * s, '47s'],
    [107 * s, '107s'],
    [2 * m, '2m'],
    [2 * m + 17 * s, '2m17s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 5 * m, '3h5m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [48 * h, '2d'],
    [2 * d + 5 * h, '2d5h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [731 * d, '2y1d'],
    [8 * 365 * d, '8y'],
    [20 * 365 * d, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, String(ms));
});

test('timestamps: unset is <unknown>', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  assert.equal(translateTimestampSince('2025-06-01T11:57:58Z', now), '2m2s');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince('', now), '<unknown>');
  assert.equal(translateTimestampSince('garbage', now), '<unknown>');
});
