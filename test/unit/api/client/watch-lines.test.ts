import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, MAX_WATCH_LINE_BYTES } from '../../../../src/api/client/watch-lines.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';

test('lines are cut at newlines across chunks, including inside a multi-byte character', () => {
  const text = Buffer.from('{"a":"é"}\n\n{"b":2}\n{"c"', 'utf8');
  const s = new LineSplitter();
  const out: string[] = [];
  // Byte by byte: every possible split point, including between the two bytes of é.
  for (const byte of text) out.push(...s.push(Buffer.from([byte])));
  assert.deepEqual(out, ['{"a":"é"}', '{"b":2}']);
  assert.equal(s.hasPartialLine(), true);
  assert.deepEqual(s.push(Buffer.from(':3}\n')), ['{"c":3}']);
  assert.equal(s.hasPartialLine(), false);
});

test('several lines in one chunk come out in order', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push(Buffer.from('1\n2\n3\n')), ['1', '2', '3']);
});

test('a line over the limit is refused, whether it arrives whole or in pieces', () => {
  const refuses = (fn: () => void): void => assert.throws(fn, (err: unknown) => isNodeletError(err, ErrorCode.ResourceExhausted));
  refuses(() => new LineSplitter(8).push(Buffer.from('123456789\n')));
  const s = new LineSplitter(8);
  s.push(Buffer.from('12345'));
  refuses(() => s.push(Buffer.from('6789')));
  assert.deepEqual(new LineSplitter(8).push(Buffer.from('12345678\n')), ['12345678']);
  assert.equal(MAX_WATCH_LINE_BYTES, 16 * 1024 * 1024);
});
