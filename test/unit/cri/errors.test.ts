import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorCode, NodeletError } from '../../../src/base/errors.js';
import { criError, errorCodeForGrpcStatus } from '../../../src/cri/errors.js';
import { GrpcCallError, GrpcStatus as LocalStatus } from '../../../src/cri/grpc/status.js';

test('every gRPC status maps to a stable NodeletError code', () => {
  const table: Array<[GrpcStatus, ErrorCode]> = [
    [GrpcStatus.CANCELLED, ErrorCode.Cancelled],
    [GrpcStatus.UNKNOWN, ErrorCode.Unknown],
    [GrpcStatus.INVALID_ARGUMENT, ErrorCode.InvalidArgument],
    [GrpcStatus.DEADLINE_EXCEEDED, ErrorCode.DeadlineExceeded],
    [GrpcStatus.NOT_FOUND, ErrorCode.NotFound],
    [GrpcStatus.ALREADY_EXISTS, ErrorCode.AlreadyExists],
    [GrpcStatus.PERMISSION_DENIED, ErrorCode.PermissionDenied],
    [GrpcStatus.RESOURCE_EXHAUSTED, ErrorCode.ResourceExhausted],
    [GrpcStatus.FAILED_PRECONDITION, ErrorCode.FailedPrecondition],
    [GrpcStatus.ABORTED, ErrorCode.Unknown],
    [GrpcStatus.OUT_OF_RANGE, ErrorCode.InvalidArgument],
    [GrpcStatus.UNIMPLEMENTED, ErrorCode.Unimplemented],
    [GrpcStatus.INTERNAL, ErrorCode.Internal],
    [GrpcStatus.UNAVAILABLE, ErrorCode.Unavailable],
    [GrpcStatus.DATA_LOSS, ErrorCode.Internal],
    [GrpcStatus.UNAUTHENTICATED, ErrorCode.PermissionDenied],
  ];
  for (const [status, code] of table) {
    assert.equal(errorCodeForGrpcStatus(status), code, `status ${GrpcStatus[status]}`);
  }
  // Every non-OK status is covered by the table above.
  assert.equal(table.length, 16);
  assert.equal(errorCodeForGrpcStatus(99), ErrorCode.Unknown);
});

test('criError names the RPC and the status, keeps the gRPC error as cause', () => {
  const grpcErr = Object.assign(new Error('5 NOT_FOUND: container "abc" not found'), {
    code: GrpcStatus.NOT_FOUND,
    details: 'container "abc" not found',
  });
  const err = criError('ContainerStatus', grpcErr);
  assert.ok(err instanceof NodeletError);
  assert.equal(err.code, ErrorCode.NotFound);
  assert.equal(err.cause, grpcErr);
  assert.match(err.message, /^CRI ContainerStatus failed \(NOT_FOUND\): container "abc" not found$/);
});

test('a NOT_FOUND hidden in UNKNOWN text stays Unknown: mapping is by status code only', () => {
  const grpcErr = Object.assign(new Error('2 UNKNOWN: an error occurred: not found'), {
    code: GrpcStatus.UNKNOWN,
    details: 'an error occurred: not found',
  });
  assert.equal(criError('RemoveContainer', grpcErr).code, ErrorCode.Unknown);
});

test('criError passes NodeletErrors through and turns anything else into Internal', () => {
  const mine = new NodeletError(ErrorCode.Cancelled, 'x');
  assert.equal(criError('Version', mine), mine);
  const plain = new TypeError('boom');
  const err = criError('Version', plain);
  assert.equal(err.code, ErrorCode.Internal);
  assert.equal(err.cause, plain);
  assert.match(err.message, /CRI Version failed: boom/);
});

test("criError maps the transport's own GrpcCallError by code, with its details", () => {
  const grpcErr = new GrpcCallError(LocalStatus.UNAVAILABLE, 'connect ENOENT /run/x.sock');
  const err = criError('Version', grpcErr);
  assert.equal(err.code, ErrorCode.Unavailable);
  assert.equal(err.cause, grpcErr);
  assert.equal(err.message, 'CRI Version failed (UNAVAILABLE): connect ENOENT /run/x.sock');
});
