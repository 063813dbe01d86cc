import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkResponseHeaders,
  decodeGrpcMessage,
  grpcStatusForHttp,
  statusFromTrailers,
} from '../../../../src/cri/grpc/response.js';
import { GrpcCallError, GrpcStatus } from '../../../../src/cri/grpc/status.js';

test('HTTP statuses map to gRPC statuses per http-grpc-status-mapping.md', () => {
  const table: Array<[number, number]> = [
    [400, GrpcStatus.INTERNAL],
    [401, GrpcStatus.UNAUTHENTICATED],
    [403, GrpcStatus.PERMISSION_DENIED],
    [404, GrpcStatus.UNIMPLEMENTED],
    [429, GrpcStatus.UNAVAILABLE],
    [502, GrpcStatus.UNAVAILABLE],
    [503, GrpcStatus.UNAVAILABLE],
    [504, GrpcStatus.UNAVAILABLE],
    [500, GrpcStatus.UNKNOWN],
    [302, GrpcStatus.UNKNOWN],
    [418, GrpcStatus.UNKNOWN],
  ];
  for (const [http, grpc] of table) assert.equal(grpcStatusForHttp(http), grpc, `HTTP ${http}`);
});

test('grpc-message is percent-decoded UTF-8; malformed escapes stay as they are', () => {
  assert.equal(decodeGrpcMessage('plain text'), 'plain text');
  assert.equal(decodeGrpcMessage('container %22abc%22 not found'), 'container "abc" not found');
  assert.equal(decodeGrpcMessage('100%25 %E2%82%AC'), '100% €');
  assert.equal(decodeGrpcMessage('bad %ZZ then %41'), 'bad %ZZ then A');
  assert.equal(decodeGrpcMessage('cut %E2%82'), 'cut %E2%82');
  assert.equal(decodeGrpcMessage('trailing %'), 'trailing %');
});

test('response headers must be HTTP 200 with an application/grpc content-type', () => {
  assert.equal(checkResponseHeaders({ ':status': 200, 'content-type': 'application/grpc' }), undefined);
  assert.equal(checkResponseHeaders({ ':status': 200, 'content-type': 'application/grpc+proto' }), undefined);
  const notFound = checkResponseHeaders({ ':status': 404, 'content-type': 'text/html' });
  assert.equal(notFound?.code, GrpcStatus.UNIMPLEMENTED);
  const html = checkResponseHeaders({ ':status': 200, 'content-type': 'text/html' });
  assert.equal(html?.code, GrpcStatus.UNKNOWN);
  assert.equal(checkResponseHeaders({ ':status': 200 })?.code, GrpcStatus.UNKNOWN);
});

test('statusFromTrailers: OK is 0, an error carries code and decoded details, none is undefined', () => {
  assert.equal(statusFromTrailers({ 'grpc-status': '0' }), 0);
  assert.equal(statusFromTrailers({}), undefined);
  const err = statusFromTrailers({ 'grpc-status': '5', 'grpc-message': 'sandbox %22p1%22 not found' });
  assert.ok(err instanceof GrpcCallError);
  assert.equal(err.code, GrpcStatus.NOT_FOUND);
  assert.equal(err.details, 'sandbox "p1" not found');
  assert.equal(err.message, '5 NOT_FOUND: sandbox "p1" not found');
  const noMessage = statusFromTrailers({ 'grpc-status': '14' });
  assert.ok(noMessage instanceof GrpcCallError);
  assert.equal(noMessage.details, '');
});

test('an unparsable grpc-status is UNKNOWN', () => {
  for (const raw of ['', 'x', '-1', '1.5', ' 5']) {
    const err = statusFromTrailers({ 'grpc-status': raw });
    assert.ok(err instanceof GrpcCallError, JSON.stringify(raw));
    assert.equal(err.code, GrpcStatus.UNKNOWN, JSON.stringify(raw));
  }
});
