import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status as grpcJsStatus } from '@grpc/grpc-js';
import { GrpcCallError, GrpcStatus, grpcStatusName } from '../../../../src/cri/grpc/status.js';

test('the local status table has the 17 codes of the spec, as grpc-js numbers them', () => {
  const entries = Object.entries(GrpcStatus);
  assert.equal(entries.length, 17);
  for (const [name, code] of entries) {
    assert.equal(code, grpcJsStatus[name as keyof typeof grpcJsStatus], name);
    assert.equal(grpcStatusName(code), name);
  }
  assert.equal(grpcStatusName(17), undefined);
  assert.equal(grpcStatusName(-1), undefined);
});

test('GrpcCallError carries code and details, with a grpc-js style message', () => {
  const err = new GrpcCallError(GrpcStatus.UNAVAILABLE, 'connect ENOENT /x.sock');
  assert.ok(err instanceof Error);
  assert.equal(err.code, 14);
  assert.equal(err.details, 'connect ENOENT /x.sock');
  assert.equal(err.message, '14 UNAVAILABLE: connect ENOENT /x.sock');
});
