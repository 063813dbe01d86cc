// HTTP failures from an apiserver as NodeletErrors: callers branch on the stable code; the
// Status reason, HTTP status and details stay available on KubeApiError for logs and for the
// rare caller that needs them (retryAfterSeconds, causes).
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { isJsonObject, type JsonObject } from '../object.js';

export class KubeApiError extends NodeletError {
  /** The HTTP status (or the Status `code` of a watch ERROR event). */
  readonly httpStatus: number;
  /** The Status reason (AlreadyExists, Conflict, Expired, ...); '' when the server sent none. */
  readonly reason: string;
  readonly details: JsonObject | undefined;

  constructor(code: ErrorCode, message: string, status: { httpStatus: number; reason: string; details?: JsonObject | undefined }) {
    super(code, message);
    this.name = 'KubeApiError';
    this.httpStatus = status.httpStatus;
    this.reason = status.reason;
    this.details = status.details;
  }
}

/** The NodeletError code of an HTTP status (and Status reason). */
export function codeForStatus(httpStatus: number, reason: string): ErrorCode {
  switch (httpStatus) {
    case 400:
    case 413:
    case 415:
    case 422:
      return ErrorCode.InvalidArgument;
    case 401:
    case 403:
      return ErrorCode.PermissionDenied;
    case 404:
      return ErrorCode.NotFound;
    case 405:
      return ErrorCode.Unimplemented;
    case 409:
      return reason === 'AlreadyExists' ? ErrorCode.AlreadyExists : ErrorCode.Conflict;
    case 410:
      return ErrorCode.Gone;
    case 429:
      return ErrorCode.Unavailable;
    default:
      return httpStatus >= 500 && httpStatus <= 599 ? ErrorCode.Unavailable : ErrorCode.Unknown;
  }
}

/**
 * The error for a non-2xx reply: the Status message when the body is a Status, else a short
 * description with the start of the body. `what` names the request ("GET /api/v1/...").
 */
export function errorFromResponse(httpStatus: number, body: Buffer, what: string): KubeApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (isJsonObject(parsed) && parsed.kind === 'Status') return errorFromStatus(parsed, httpStatus);
  const text = body.toString('utf8', 0, Math.min(body.length, 512)).trim();
  const message = `${what}: the server responded with HTTP ${httpStatus}${text === '' ? '' : `: ${text}`}`;
  return new KubeApiError(codeForStatus(httpStatus, ''), withUnauthorized(httpStatus, message), { httpStatus, reason: '' });
}

/** The error for a Status object (a failed reply or a watch ERROR event). */
export function errorFromStatus(status: JsonObject, fallbackHttpStatus = 500): KubeApiError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : fallbackHttpStatus;
  const reason = typeof status.reason === 'string' ? status.reason : '';
  const message = typeof status.message === 'string' && status.message !== '' ? status.message : `the server responded with ${reason || `HTTP ${code}`}`;
  const details = isJsonObject(status.details) ? status.details : undefined;
  return new KubeApiError(codeForStatus(code, reason), withUnauthorized(code, message), { httpStatus: code, reason, details });
}

// There is no Unauthorized code (401 shares PermissionDenied with 403), so the message says it.
function withUnauthorized(httpStatus: number, message: string): string {
  return httpStatus === 401 && !/unauthorized/i.test(message) ? `Unauthorized: ${message}` : message;
}
