// Patch failures carry the HTTP status kube-apiserver answers with (handlers/patch.go):
// a patch document that cannot be read is 400 BadRequest, a well-formed patch that cannot be
// applied to this object (a failed JSON-patch `test`, a missing path) is 422, strategic merge
// patch on a kind without patch metadata is 415, more than 10,000 JSON-patch operations is 413.
import { ErrorCode, NodeletError, isNodeletError } from '../../base/errors.js';

/** 400: the patch document is malformed. */
export function badPatch(message: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, message);
}

/** 422: the patch is well formed but does not apply to the current object. */
export function unprocessablePatch(message: string): NodeletError {
  return new NodeletError(ErrorCode.FailedPrecondition, message);
}

/** 415: this patch type is not accepted for this kind. */
export function unsupportedPatch(message: string): NodeletError {
  return new NodeletError(ErrorCode.Unimplemented, message);
}

/** 413: too many operations. */
export function patchTooLarge(message: string): NodeletError {
  return new NodeletError(ErrorCode.ResourceExhausted, message);
}

/** The HTTP status for an error thrown by the patch functions (500 for anything else). */
export function httpStatusForPatchError(err: unknown): number {
  if (!isNodeletError(err)) return 500;
  switch (err.code) {
    case ErrorCode.InvalidArgument:
      return 400;
    case ErrorCode.FailedPrecondition:
      return 422;
    case ErrorCode.Unimplemented:
      return 415;
    case ErrorCode.ResourceExhausted:
      return 413;
    default:
      return 500;
  }
}
