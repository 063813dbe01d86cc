// Errors with stable codes: callers branch on `code`, never on message text.

export const ErrorCode = {
  NotFound: 'NotFound',
  AlreadyExists: 'AlreadyExists',
  /** Optimistic concurrency: the object changed since the version the caller had. */
  Conflict: 'Conflict',
  /** The requested version is older than what history keeps (compacted). */
  Gone: 'Gone',
  InvalidArgument: 'InvalidArgument',
  FailedPrecondition: 'FailedPrecondition',
  Unavailable: 'Unavailable',
  DeadlineExceeded: 'DeadlineExceeded',
  Cancelled: 'Cancelled',
  Unimplemented: 'Unimplemented',
  PermissionDenied: 'PermissionDenied',
  ResourceExhausted: 'ResourceExhausted',
  Internal: 'Internal',
  Unknown: 'Unknown',
  ExecFailed: 'ExecFailed',
  InvalidConfig: 'InvalidConfig',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class NodeletError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeletError';
    this.code = code;
  }
}

export function isNodeletError(err: unknown, code?: ErrorCode): err is NodeletError {
  return err instanceof NodeletError && (code === undefined || err.code === code);
}

/** A readable message from anything thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
