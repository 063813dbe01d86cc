import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { checkKey, keyAfter, prefixEndBytes, prefixEndString } from '../../../../src/apiserver/storage/keys.js';

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

test('prefixEndBytes increments the last byte below 0xff, as etcd does', () => {
  const cases: [number[], number[] | undefined][] = [
    [[0x61], [0x62]], // "a" -> "b"
    [[0x61, 0x61], [0x61, 0x62]], // "aa" -> "ab"
    [[0x61, 0xff], [0x62]], // "a\xff" -> "b"
    [[0x61, 0xff, 0xff], [0x62]],
    [[0xff, 0xff], undefined], // no end: the range runs to the end of the keyspace
    [[], undefined],
  ];
  for (const [input, want] of cases) {
    assert.equal(hex(prefixEndBytes(Uint8Array.from(input))), hex(want === undefined ? undefined : Uint8Array.from(want)), `input ${hex(Uint8Array.from(input))}`);
  }
});

test('prefixEndBytes leaves its input alone (a Buffer slice would be a view)', () => {
  const prefix = Buffer.from('/registry/pods/');
  const end = prefixEndBytes(prefix);
  assert.equal(prefix.toString(), '/registry/pods/');
  assert.equal(Buffer.from(end ?? []).toString(), '/registry/pods0');
});

test('prefixEndString bounds the same keys as the byte version', () => {
  assert.equal(prefixEndString('/registry/pods/'), '/registry/pods0');
  assert.equal(prefixEndString('a'), 'b');
  assert.equal(prefixEndString(''), undefined);
  assert.equal(prefixEndString('\u{10ffff}'), undefined);
  assert.equal(prefixEndString('a\u{10ffff}'), 'b');
  assert.equal(prefixEndString('x\ud7ff'), 'x\ue000', 'skips the surrogate block');
  // In UTF-8 byte order every key with the prefix sorts before the end, and the end after them.
  const prefixes = ['/a/', 'é', 'x\u{1f600}', 'z\u07ff'];
  const suffixes = ['', '\u0001', 'zzz', '\u{10ffff}', '\uffff', 'é'];
  for (const p of prefixes) {
    const end = Buffer.from(prefixEndString(p) ?? '', 'utf8');
    for (const s of suffixes) assert.ok(Buffer.compare(Buffer.from(p + s, 'utf8'), end) < 0, `${p}+${s} < end`);
    assert.ok(Buffer.compare(Buffer.from(p, 'utf8'), end) < 0);
  }
});

test('keyAfter is the immediate successor in byte order', () => {
  const k = '/registry/pods/default/a';
  const after = Buffer.from(keyAfter(k));
  assert.ok(Buffer.compare(Buffer.from(k), after) < 0);
  assert.ok(Buffer.compare(after, Buffer.from(`${k}\u0001`)) < 0);
  assert.ok(Buffer.compare(after, Buffer.from(`${k}-b`)) < 0);
});

test('checkKey refuses keys that do not start with / and keys with NUL', () => {
  for (const bad of ['', 'registry/pods/a', '/a\u0000b']) assert.throws(() => checkKey(bad), (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument));
  checkKey('/registry/pods/default/a');
});
