// Replies from an apiserver enter as `unknown`: these check the shape the client promises
// (KubeObject, ObjectList, WatchEvent) before any caller relies on it. Only the generic shape is
// checked; kind-specific parsers narrow further.
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../object.js';
import type { ObjectList, WatchEvent } from './types.js';

const STRING_FIELDS = ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp'];
const INT_FIELDS = ['generation', 'deletionGracePeriodSeconds'];
const MAP_FIELDS = ['labels', 'annotations'];

function invalid(what: string, msg: string): NodeletError {
  return new NodeletError(ErrorCode.Internal, `invalid ${what} from the apiserver: ${msg}`);
}

/** The first metadata field of the wrong JSON type, described; undefined when all fit. */
function metadataProblem(m: JsonObject): string | undefined {
  for (const f of STRING_FIELDS) if (m[f] !== undefined && typeof m[f] !== 'string') return `metadata.${f} is not a string`;
  for (const f of INT_FIELDS) {
    const v = m[f];
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v))) return `metadata.${f} is not an integer`;
  }
  for (const f of MAP_FIELDS) {
    const v = m[f];
    if (v !== undefined && (!isJsonObject(v) || Object.values(v).some((x) => typeof x !== 'string'))) return `metadata.${f} is not a map of strings`;
  }
  const finalizers = m.finalizers;
  if (finalizers !== undefined && (!Array.isArray(finalizers) || finalizers.some((x) => typeof x !== 'string'))) return 'metadata.finalizers is not a list of strings';
  const owners = m.ownerReferences;
  if (owners !== undefined) {
    if (!Array.isArray(owners)) return 'metadata.ownerReferences is not a list';
    for (const [i, o] of owners.entries()) {
      if (!isJsonObject(o)) return `metadata.ownerReferences[${i}] is not an object`;
      for (const f of ['apiVersion', 'kind', 'name', 'uid']) if (typeof o[f] !== 'string') return `metadata.ownerReferences[${i}].${f} is not a string`;
      for (const f of ['controller', 'blockOwnerDeletion']) {
        if (o[f] !== undefined && typeof o[f] !== 'boolean') return `metadata.ownerReferences[${i}].${f} is not a boolean`;
      }
    }
  }
  return undefined;
}

/**
 * A KubeObject: apiVersion and kind strings, metadata an object with well-typed fields.
 * `defaults` fills apiVersion/kind that list items omit (upstream drops them inside typed lists).
 */
export function toKubeObject(value: unknown, what: string, defaults?: { apiVersion: string; kind: string }): KubeObject {
  if (!isJsonObject(value)) throw invalid(what, 'not a JSON object');
  const apiVersion = value.apiVersion ?? defaults?.apiVersion;
  const kind = value.kind ?? defaults?.kind;
  if (typeof apiVersion !== 'string' || apiVersion === '') throw invalid(what, 'apiVersion is missing');
  if (typeof kind !== 'string' || kind === '') throw invalid(what, 'kind is missing');
  const metadata = value.metadata;
  if (!isJsonObject(metadata)) throw invalid(what, 'metadata is missing');
  const problem = metadataProblem(metadata);
  if (problem !== undefined) throw invalid(what, problem);
  return { ...value, apiVersion, kind, metadata } as unknown as KubeObject;
}

/** A list reply; items get the list's apiVersion and kind (minus "List") when they omit them. */
export function toObjectList(value: unknown, what: string): ObjectList {
  if (!isJsonObject(value)) throw invalid(what, 'not a JSON object');
  const { apiVersion, kind, metadata, items } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') throw invalid(what, 'apiVersion or kind is missing');
  if (metadata !== undefined && !isJsonObject(metadata)) throw invalid(what, 'metadata is not an object');
  const rv = metadata?.resourceVersion ?? '';
  const cont = metadata?.continue;
  if (typeof rv !== 'string') throw invalid(what, 'metadata.resourceVersion is not a string');
  if (cont !== undefined && typeof cont !== 'string') throw invalid(what, 'metadata.continue is not a string');
  if (items !== undefined && items !== null && !Array.isArray(items)) throw invalid(what, 'items is not a list');
  const itemDefaults = { apiVersion, kind: kind.endsWith('List') ? kind.slice(0, -'List'.length) : kind };
  const list: ObjectList = {
    apiVersion,
    kind,
    metadata: { resourceVersion: rv },
    items: (items ?? []).map((item, i) => toKubeObject(item, `${what} items[${i}]`, itemDefaults)),
  };
  if (cont !== undefined && cont !== '') list.metadata.continue = cont;
  return list;
}

/** A decoded watch line: an event, or the Status of an ERROR event. */
export type WatchLine = { event: WatchEvent } | { status: JsonObject };

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK']);

export function toWatchLine(value: unknown, what: string): WatchLine {
  if (!isJsonObject(value)) throw invalid(what, 'not a JSON object');
  const { type, object } = value;
  if (type === 'ERROR') {
    if (!isJsonObject(object)) throw invalid(what, 'ERROR event without a Status object');
    return { status: object };
  }
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) throw invalid(what, `unknown event type ${JSON.stringify(type)}`);
  return { event: { type: type as WatchEvent['type'], object: toKubeObject(object, `${what} object`) } };
}
