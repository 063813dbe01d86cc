// Reading a gRPC response's HTTP/2 headers and trailers into a status (grpc/doc/PROTOCOL-HTTP2.md,
// grpc/doc/http-grpc-status-mapping.md). Pure functions over header objects; call.ts applies them.
import { GrpcCallError, GrpcStatus } from './status.js';

/** A received header or trailer block, as node:http2 gives it; values are checked before use. */
export type HeaderBlock = Readonly<Record<string, unknown>>;

/** The status for a non-200 HTTP reply that carries no grpc-status (the spec's table). */
export function grpcStatusForHttp(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
      return GrpcStatus.INTERNAL;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return GrpcStatus.UNAVAILABLE;
    default:
      return GrpcStatus.UNKNOWN;
  }
}

/**
 * grpc-message is percent-encoded UTF-8. Malformed escapes are kept as they are rather than
 * failing the call: the message is only for people.
 */
export function decodeGrpcMessage(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    // Decode the well-formed escapes one run at a time; leave the rest verbatim.
    return raw.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * Checks the response headers. Returns an error when the reply is not gRPC (HTTP status other
 * than 200, or a content-type not starting with application/grpc), else undefined.
 */
export function checkResponseHeaders(headers: HeaderBlock): GrpcCallError | undefined {
  const raw = headers[':status'];
  const httpStatus = typeof raw === 'number' ? raw : 0;
  if (httpStatus !== 200) {
    return new GrpcCallError(grpcStatusForHttp(httpStatus), `received HTTP status ${httpStatus} instead of a gRPC reply`);
  }
  const type = headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/grpc')) {
    return new GrpcCallError(GrpcStatus.UNKNOWN, `received content-type ${JSON.stringify(type ?? '')} instead of application/grpc`);
  }
  return undefined;
}

/** The call's final status: 0 (OK), or the error; undefined when the block has no grpc-status. */
export function statusFromTrailers(trailers: HeaderBlock): GrpcCallError | 0 | undefined {
  const raw = trailers['grpc-status'];
  if (raw === undefined) return undefined;
  const text = typeof raw === 'string' ? raw : String(raw);
  const code = /^\d+$/.test(text) ? Number(text) : NaN;
  const msg = trailers['grpc-message'];
  const details = decodeGrpcMessage(typeof msg === 'string' ? msg : '');
  // An unparsable status is UNKNOWN (statuscodes.md: "Error parsing returned status").
  if (Number.isNaN(code)) return new GrpcCallError(GrpcStatus.UNKNOWN, `received invalid grpc-status ${JSON.stringify(text)}: ${details}`);
  if (code === GrpcStatus.OK) return 0;
  return new GrpcCallError(code, details);
}
