// gRPC status codes to NodeletError codes. Callers branch on the code only, never on text.
//
// containerd 1.6.20 (checked) answers missing ids with NOT_FOUND in ContainerStatus,
// PodSandboxStatus, StartContainer, StopContainer, StopPodSandbox, ExecSync and
// ReopenContainerLog, and succeeds for RemoveContainer/RemovePodSandbox/RemoveImage. Should a
// runtime wrap "not found" into UNKNOWN, it stays Unknown here: the mapping is by status code
// alone, never by text.
import { ErrorCode, NodeletError } from '../base/errors.js';
import { GrpcStatus, grpcStatusName } from './grpc/status.js';

const BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [GrpcStatus.CANCELLED, ErrorCode.Cancelled],
  [GrpcStatus.UNKNOWN, ErrorCode.Unknown],
  [GrpcStatus.INVALID_ARGUMENT, ErrorCode.InvalidArgument],
  [GrpcStatus.DEADLINE_EXCEEDED, ErrorCode.DeadlineExceeded],
  [GrpcStatus.NOT_FOUND, ErrorCode.NotFound],
  [GrpcStatus.ALREADY_EXISTS, ErrorCode.AlreadyExists],
  [GrpcStatus.PERMISSION_DENIED, ErrorCode.PermissionDenied],
  [GrpcStatus.RESOURCE_EXHAUSTED, ErrorCode.ResourceExhausted],
  [GrpcStatus.FAILED_PRECONDITION, ErrorCode.FailedPrecondition],
  // A conflict to retry at a higher level; we have no Conflict code and must not claim the
  // runtime is down (Unavailable), so it is reported as Unknown with the status in the text.
  [GrpcStatus.ABORTED, ErrorCode.Unknown],
  // gRPC documents OUT_OF_RANGE as a finer INVALID_ARGUMENT.
  [GrpcStatus.OUT_OF_RANGE, ErrorCode.InvalidArgument],
  [GrpcStatus.UNIMPLEMENTED, ErrorCode.Unimplemented],
  [GrpcStatus.INTERNAL, ErrorCode.Internal],
  [GrpcStatus.UNAVAILABLE, ErrorCode.Unavailable],
  [GrpcStatus.DATA_LOSS, ErrorCode.Internal],
  [GrpcStatus.UNAUTHENTICATED, ErrorCode.PermissionDenied],
]);

/** The NodeletError code for a gRPC status code; anything unexpected is Unknown. */
export function errorCodeForGrpcStatus(code: number): ErrorCode {
  return BY_STATUS.get(code) ?? ErrorCode.Unknown;
}

interface GrpcErrorLike extends Error {
  code: number;
  details?: unknown;
}

function isGrpcError(err: unknown): err is GrpcErrorLike {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'number';
}

/**
 * Wraps whatever a call failed with into a NodeletError naming the RPC, with the original as
 * `cause`. An error that already is a NodeletError passes through unchanged.
 */
export function criError(rpc: string, err: unknown): NodeletError {
  if (err instanceof NodeletError) return err;
  if (isGrpcError(err)) {
    const name = grpcStatusName(err.code) ?? String(err.code);
    const details = typeof err.details === 'string' && err.details !== '' ? err.details : err.message;
    return new NodeletError(errorCodeForGrpcStatus(err.code), `CRI ${rpc} failed (${name}): ${details}`, { cause: err });
  }
  const text = err instanceof Error ? err.message : String(err);
  return new NodeletError(ErrorCode.Internal, `CRI ${rpc} failed: ${text}`, { cause: err });
}

/** The error for a call whose AbortSignal fired before or while it ran. */
export function cancelledError(rpc: string, signal: AbortSignal): NodeletError {
  return new NodeletError(ErrorCode.Cancelled, `CRI ${rpc} cancelled by the caller`, { cause: signal.reason });
}
