// Status objects as kube-apiserver sends them (apimachinery's api/errors): the same codes,
// reasons, message wording and details, so clients' error handling (kubectl, client-go, the
// JavaScript client) behaves as against upstream.
import { errorMessage, isNodeletError, ErrorCode } from '../base/errors.js';
import type { JsonObject } from '../api/object.js';
import { groupKind, groupResource } from './resources.js';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string; resourceVersion?: string };
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that answers the request with a Status body. */
export class ApiError extends Error {
  readonly status: StatusBody;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    const status: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details !== undefined) status.details = details;
    this.status = status;
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** What a resource-scoped error names: the resource (plural) and its group. */
export interface ResourceRef {
  group: string;
  resource: string;
}

function details(r: ResourceRef, name: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== '') d.name = name;
  if (r.group !== '') d.group = r.group;
  d.kind = r.resource;
  return d;
}

export function notFound(r: ResourceRef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${groupResource(r)} "${name}" not found`, details(r, name));
}

/** A path or resource this server does not serve. */
export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function alreadyExists(r: ResourceRef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${groupResource(r)} "${name}" already exists`, details(r, name));
}

export function conflict(r: ResourceRef, name: string, why: string): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResource(r)} "${name}": ${why}`, details(r, name));
}

export const STALE_OBJECT_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function staleConflict(r: ResourceRef, name: string): ApiError {
  return conflict(r, name, STALE_OBJECT_MESSAGE);
}

export function forbidden(r: ResourceRef | undefined, name: string, why: string, causes?: StatusCause[]): ApiError {
  if (r === undefined) return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  const subject = name === '' ? groupResource(r) : `${groupResource(r)} "${name}"`;
  const d = details(r, name);
  if (causes !== undefined) d.causes = causes;
  return new ApiError(403, 'Forbidden', `${subject} is forbidden: ${why}`, d);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** A verb the resource does not support (e.g. deletecollection on namespaces). */
export function methodNotSupported(r: ResourceRef, action: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `${action} is not supported on resources of kind "${groupResource(r)}"`, {
    ...(r.group === '' ? {} : { group: r.group }),
    kind: r.resource,
  });
}

export function invalid(r: { group: string; kind: string }, name: string, causes: StatusCause[], message?: string): ApiError {
  const text = message ?? `${groupKind(r)} "${name}" is invalid: ${aggregateCauses(causes)}`;
  const d: StatusDetails = { name, ...(r.group === '' ? {} : { group: r.group }), kind: r.kind, causes };
  return new ApiError(422, 'Invalid', text, d);
}

/** One cause as field: message, several as [a, b] like upstream's aggregate error text. */
export function aggregateCauses(causes: readonly StatusCause[]): string {
  const texts = causes.map((c) => (c.field !== undefined && c.field !== '' ? `${c.field}: ${c.message}` : c.message));
  return texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function expired(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function tooOldResourceVersion(requested: number, current: number): ApiError {
  return expired(`too old resource version: ${requested} (${current})`);
}

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export function requestTooLarge(limit: number): ApiError {
  return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function notAcceptable(accepted: readonly string[]): ApiError {
  return new ApiError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

export function timeout(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError(504, 'Timeout', `Timeout: ${message}`, { retryAfterSeconds });
}

export function internalError(err: unknown): ApiError {
  const message = errorMessage(err);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function serviceUnavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

/**
 * Maps anything thrown below a handler to an ApiError: store error codes become their upstream
 * Status for the resource and name at hand; anything unknown becomes a 500.
 */
export function toApiError(err: unknown, r?: ResourceRef, name = ''): ApiError {
  if (err instanceof ApiError) return err;
  if (isNodeletError(err)) {
    switch (err.code) {
      case ErrorCode.NotFound:
        return r === undefined ? pathNotFound() : notFound(r, name);
      case ErrorCode.AlreadyExists:
        return r === undefined ? new ApiError(409, 'AlreadyExists', err.message) : alreadyExists(r, name);
      case ErrorCode.Conflict:
        return r === undefined ? new ApiError(409, 'Conflict', err.message) : staleConflict(r, name);
      case ErrorCode.Gone:
        return expired(err.message);
      case ErrorCode.InvalidArgument:
        return badRequest(err.message);
      case ErrorCode.Unavailable:
        return serviceUnavailable(err.message);
      case ErrorCode.DeadlineExceeded:
        return timeout(err.message, 1);
      default:
        return internalError(err);
    }
  }
  return internalError(err);
}

/** The Status a successful DELETE answers with for kinds that do not return the object. */
export function successStatus(r: ResourceRef, name: string, uid: string | undefined): JsonObject {
  const d: JsonObject = { name };
  if (r.group !== '') d.group = r.group;
  d.kind = r.resource;
  if (uid !== undefined) d.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: d };
}

export function statusToJson(s: StatusBody): JsonObject {
  return JSON.parse(JSON.stringify(s)) as JsonObject;
}
