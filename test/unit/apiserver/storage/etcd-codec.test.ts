import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { ErrorCode } from '../../../../src/base/errors.js';
import { KeyCodec, toWatchEvent } from '../../../../src/apiserver/storage/etcd/codec.js';
import { etcdError } from '../../../../src/apiserver/storage/etcd/errors.js';
import { Msg } from '../../../../src/apiserver/storage/etcd/proto.js';

const str = (b: Buffer | undefined): string | undefined => b?.toString('utf8');

test('keys carry the configured prefix in etcd and lose it on the way back', () => {
  const codec = new KeyCodec('/nodelet/');
  assert.equal(str(codec.encode('/registry/pods/a')), '/nodelet/registry/pods/a');
  assert.equal(codec.decode(Buffer.from('/nodelet/registry/pods/a')), '/registry/pods/a');
  assert.throws(() => codec.decode(Buffer.from('/other/registry/pods/a')), { code: ErrorCode.Internal });
  assert.equal(str(codec.markerKey), '/nodelet#compacted-revision');
  assert.throws(() => new KeyCodec('relative'), { code: ErrorCode.InvalidConfig });
});

test('list ranges: prefix to prefix end, continue after a key, empty prefix = every Store key', () => {
  const codec = new KeyCodec('');
  const r = codec.range('/registry/pods/');
  assert.deepEqual([str(r.key), str(r.rangeEnd)], ['/registry/pods/', '/registry/pods0']);
  const cont = codec.range('/registry/pods/', '/registry/pods/ns/b');
  assert.deepEqual([str(cont.key), str(cont.rangeEnd)], ['/registry/pods/ns/b\u0000', '/registry/pods0']);
  // A continue key before the prefix does not widen the range.
  assert.equal(str(codec.range('/registry/pods/', '/a').key), '/registry/pods/');
  const all = codec.range('');
  assert.deepEqual([str(all.key), str(all.rangeEnd)], ['/', '0']);
  // The marker sorts outside every Store range ('#' < '/').
  assert.ok(Buffer.compare(codec.markerKey, all.key) < 0);
});

const kv = (key: string, value: string, create: number, mod: number): object => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  create_revision: String(create),
  mod_revision: String(mod),
  version: '1',
  lease: '0',
});

test('watch events: PUT as is; DELETE takes value and create revision from prev_kv', () => {
  const codec = new KeyCodec('/p');
  const put = toWatchEvent(Msg.of({ type: 'PUT', kv: kv('/p/k', 'v2', 5, 9), prev_kv: kv('/p/k', 'v1', 5, 7) }, 'ev'), codec);
  assert.deepEqual(put, {
    type: 'PUT',
    kv: { key: '/k', value: 'v2', createRevision: 5, modRevision: 9 },
    prevKv: { key: '/k', value: 'v1', createRevision: 5, modRevision: 7 },
  });
  const created = toWatchEvent(Msg.of({ type: 'PUT', kv: kv('/p/k', 'v1', 5, 5), prev_kv: null }, 'ev'), codec);
  assert.equal(created.prevKv, undefined);
  const del = toWatchEvent(Msg.of({ type: 'DELETE', kv: { key: Buffer.from('/p/k'), mod_revision: '12' }, prev_kv: kv('/p/k', 'v2', 5, 9) }, 'ev'), codec);
  assert.deepEqual(del.kv, { key: '/k', value: 'v2', createRevision: 5, modRevision: 12 });
  assert.equal(del.prevKv?.modRevision, 9);
  assert.throws(() => toWatchEvent(Msg.of({ type: 'EXPIRE', kv: kv('/p/k', '', 0, 1) }, 'ev'), codec), { code: ErrorCode.Internal });
});

test('etcd errors map to Store codes; OUT_OF_RANGE splits into Gone and InvalidArgument', () => {
  const grpcErr = (code: number, details: string): Error => Object.assign(new Error(details), { code, details });
  const cases: [number, string, ErrorCode][] = [
    [status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted', ErrorCode.Gone],
    [status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision', ErrorCode.InvalidArgument],
    [status.UNAVAILABLE, 'etcdserver: no leader', ErrorCode.Unavailable],
    [status.DEADLINE_EXCEEDED, 'deadline exceeded', ErrorCode.DeadlineExceeded],
    [status.RESOURCE_EXHAUSTED, 'etcdserver: mvcc: database space exceeded', ErrorCode.ResourceExhausted],
    [status.INVALID_ARGUMENT, 'etcdserver: request is too large', ErrorCode.InvalidArgument],
    [status.CANCELLED, 'cancelled', ErrorCode.Cancelled],
    [status.UNAUTHENTICATED, 'etcdserver: invalid auth token', ErrorCode.PermissionDenied],
  ];
  for (const [code, details, want] of cases) {
    const err = etcdError('list', grpcErr(code, details));
    assert.equal(err.code, want, details);
    assert.match(err.message, /^etcd list failed/);
  }
  assert.equal(etcdError('get', new Error('boom')).code, ErrorCode.Internal);
});

test('malformed replies are Internal errors naming the field', () => {
  const m = Msg.of({ header: { revision: 'x' } }, 'RangeResponse');
  assert.throws(() => m.msg('header').int('revision'), (err: unknown) => err instanceof Error && /RangeResponse.header.revision/.test(err.message));
  assert.equal(Msg.of(null, 'r').int('missing'), 0);
  assert.deepEqual(Msg.of({}, 'r').list('kvs'), []);
});
