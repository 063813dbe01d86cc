// Turning a request body into a KubeObject of the kind the URL expects, as upstream's decoder
// does: a missing apiVersion/kind is defaulted from the URL, another kind or version is "cannot
// be handled as", and metadata fields of the wrong JSON type are refused before any code relies
// on them. Nulls are dropped, as decoding
// into typed structs drops them.
import type { IncomingMessage } from 'node:http';
import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../../api/object.js';
import { decodeBody, readBody, requireObject, summarize } from '../body.js';
import { findResourceByKind } from '../resources.js';
import { badRequest } from '../status.js';

export interface ExpectedKind {
  group: string;
  version: string;
  kind: string;
}

export function apiVersionString(e: { group: string; version: string }): string {
  return e.group === '' ? e.version : `${e.group}/${e.version}`;
}

export async function readObjectBody(req: IncomingMessage, expected: ExpectedKind): Promise<KubeObject> {
  const body = await readBody(req);
  const value = decodeBody(body, req.headers['content-type']);
  const obj = requireObject(value, body);
  return toKubeObject(obj, expected, summarize(body.toString('utf8')));
}

/** Checks kind, apiVersion and metadata shape; returns the object with nulls removed. */
export function toKubeObject(input: JsonObject, expected: ExpectedKind, summary = ''): KubeObject {
  const obj = dropNulls(input);
  const kind = obj.kind ?? expected.kind;
  const apiVersion = obj.apiVersion ?? apiVersionString(expected);
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
    throw badRequest(`the object provided is unrecognized (must be of type ${expected.kind}): apiVersion and kind must be strings (${summary})`);
  }
  if (kind !== expected.kind || apiVersion !== apiVersionString(expected)) {
    // Upstream decodes by the body's own apiVersion/kind, then fails to convert to the URL's kind.
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const why = isServedKind(apiVersion, kind)
      ? `a ${kind} (${apiVersion}) cannot be converted to a ${expected.kind} (${apiVersionString(expected)})`
      : `no kind "${kind}" is registered for version "${apiVersion}"`;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a ${expected.kind}: ${why}`);
  }
  const metadata = obj.metadata ?? {};
  if (!isJsonObject(metadata)) throw cannotHandle(expected, 'metadata must be an object');
  const problem = checkObjectMeta(metadata);
  if (problem !== undefined) throw cannotHandle(expected, problem);
  return { ...obj, apiVersion, kind, metadata } as unknown as KubeObject;
}

const EXTRA_KINDS = new Set(['v1/Binding', 'autoscaling/v1/Scale', 'v1/DeleteOptions', 'meta.k8s.io/v1/DeleteOptions', 'v1/Status']);

function isServedKind(apiVersion: string, kind: string): boolean {
  return findResourceByKind(apiVersion, kind) !== undefined || EXTRA_KINDS.has(`${apiVersion}/${kind}`);
}

function cannotHandle(e: ExpectedKind, why: string): Error {
  return badRequest(`${e.kind} in version "${e.version}" cannot be handled as a ${e.kind}: ${why}`);
}

const STRING_FIELDS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'selfLink'];
const INT_FIELDS = ['generation', 'deletionGracePeriodSeconds'];
const MAP_FIELDS = ['labels', 'annotations'];

/** The first metadata field whose JSON type is wrong, described; undefined when all fit. */
export function checkObjectMeta(m: JsonObject): string | undefined {
  for (const f of STRING_FIELDS) {
    if (m[f] !== undefined && typeof m[f] !== 'string') return `metadata.${f}: expected a string`;
  }
  for (const f of INT_FIELDS) {
    const v = m[f];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v))) return `metadata.${f}: expected an integer`;
  }
  for (const f of MAP_FIELDS) {
    const v = m[f];
    if (v === undefined) continue;
    if (!isJsonObject(v) || Object.values(v).some((x) => typeof x !== 'string')) return `metadata.${f}: expected a map of strings`;
  }
  const finalizers = m.finalizers;
  if (finalizers !== undefined && (!Array.isArray(finalizers) || finalizers.some((x) => typeof x !== 'string'))) {
    return 'metadata.finalizers: expected a list of strings';
  }
  const owners = m.ownerReferences;
  if (owners !== undefined) {
    if (!Array.isArray(owners)) return 'metadata.ownerReferences: expected a list';
    for (const [i, o] of owners.entries()) {
      if (!isJsonObject(o)) return `metadata.ownerReferences[${i}]: expected an object`;
      for (const f of ['apiVersion', 'kind', 'name', 'uid']) {
        if (o[f] !== undefined && typeof o[f] !== 'string') return `metadata.ownerReferences[${i}].${f}: expected a string`;
      }
      for (const f of ['controller', 'blockOwnerDeletion']) {
        if (o[f] !== undefined && typeof o[f] !== 'boolean') return `metadata.ownerReferences[${i}].${f}: expected a boolean`;
      }
    }
  }
  if (m.managedFields !== undefined && !Array.isArray(m.managedFields)) return 'metadata.managedFields: expected a list';
  return undefined;
}

/** Object properties that are null are dropped (recursively), as decoding into typed structs does. */
export function dropNulls<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => dropNulls(v)) as T;
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null) out[k] = dropNulls(v);
    }
    return out as T;
  }
  return value;
}
