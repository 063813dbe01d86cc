// gRPC failures from etcd as NodeletErrors.
//
// etcd reports both "required revision has been compacted" and "required revision is a future
// revision" as OUT_OF_RANGE; only the text tells them apart. This is the one place that reads
// it (etcd's own Go client does the same, in api/v3rpc/rpctypes), so that callers can branch on
// Gone vs InvalidArgument by code.
import { status as GrpcStatus } from '@grpc/grpc-js';
import { ErrorCode, NodeletError, errorMessage } from '../../../base/errors.js';

const BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [GrpcStatus.CANCELLED, ErrorCode.Cancelled],
  [GrpcStatus.INVALID_ARGUMENT, ErrorCode.InvalidArgument],
  [GrpcStatus.DEADLINE_EXCEEDED, ErrorCode.DeadlineExceeded],
  [GrpcStatus.NOT_FOUND, ErrorCode.NotFound],
  [GrpcStatus.ALREADY_EXISTS, ErrorCode.AlreadyExists],
  [GrpcStatus.PERMISSION_DENIED, ErrorCode.PermissionDenied],
  [GrpcStatus.UNAUTHENTICATED, ErrorCode.PermissionDenied],
  // "mvcc: database space exceeded": etcd needs compaction, defragmentation or a larger quota.
  [GrpcStatus.RESOURCE_EXHAUSTED, ErrorCode.ResourceExhausted],
  [GrpcStatus.FAILED_PRECONDITION, ErrorCode.FailedPrecondition],
  [GrpcStatus.UNIMPLEMENTED, ErrorCode.Unimplemented],
  [GrpcStatus.INTERNAL, ErrorCode.Internal],
  // No connection, no leader, leader changed, request timed out: try again later.
  [GrpcStatus.UNAVAILABLE, ErrorCode.Unavailable],
  [GrpcStatus.DATA_LOSS, ErrorCode.Internal],
]);

interface GrpcErrorLike extends Error {
  code: number;
  details?: unknown;
}

export function isGrpcError(err: unknown): err is GrpcErrorLike {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}

export function grpcCode(err: unknown): number | undefined {
  return isGrpcError(err) ? err.code : undefined;
}

/** True for etcd's ErrCompacted (OUT_OF_RANGE "... required revision has been compacted"). */
export function isCompactedError(err: unknown): boolean {
  return isGrpcError(err) && err.code === GrpcStatus.OUT_OF_RANGE && /compacted/.test(detailsOf(err));
}

function detailsOf(err: GrpcErrorLike): string {
  return typeof err.details === 'string' && err.details !== '' ? err.details : err.message;
}

/** Wraps a failed call into a NodeletError naming the operation; NodeletErrors pass through. */
export function etcdError(op: string, err: unknown): NodeletError {
  if (err instanceof NodeletError) return err;
  if (isGrpcError(err)) {
    const details = detailsOf(err);
    let code = BY_STATUS.get(err.code) ?? ErrorCode.Unknown;
    if (err.code === GrpcStatus.OUT_OF_RANGE) code = isCompactedError(err) ? ErrorCode.Gone : ErrorCode.InvalidArgument;
    const name = GrpcStatus[err.code] ?? String(err.code);
    return new NodeletError(code, `etcd ${op} failed (${name}): ${details}`, { cause: err });
  }
  return new NodeletError(ErrorCode.Internal, `etcd ${op} failed: ${errorMessage(err)}`, { cause: err });
}
