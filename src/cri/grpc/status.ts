// gRPC status codes (names and numbers per grpc/doc/statuscodes.md) and the error a call fails
// with. A local table so that the CRI client does not load @grpc/grpc-js just for the numbers.

export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

const NAMES: readonly string[] = Object.keys(GrpcStatus);

/** `NOT_FOUND` for 5; undefined for a number outside the table. */
export function grpcStatusName(code: number): string | undefined {
  return NAMES[code];
}

/**
 * How a call ended when not OK: the status `code` and the server's (or our) `details`. The shape
 * is what criError() reads, and what grpc-js errors have, so both map alike.
 */
export class GrpcCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
    options?: { cause?: unknown },
  ) {
    super(`${code} ${grpcStatusName(code) ?? 'UNKNOWN'}: ${details}`, options);
    this.name = 'GrpcCallError';
  }
}
