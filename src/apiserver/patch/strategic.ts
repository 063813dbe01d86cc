// Strategic merge patch (application/strategic-merge-patch+json), after apimachinery's
// strategicpatch.StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls, the
// options kube-apiserver uses. Lists with patch metadata merge by key (or as sets of scalars);
// others are replaced. Directives: `$patch: replace|delete` (maps and list elements),
// `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`.
//
// Where upstream leaves a directive inside a value it adds verbatim (and decoding into the typed
// object then drops it), this merges the value into nothing instead: the same resulting object.
// `$patch: merge` on a map is accepted as the explicit default; on a list element it is an
// error, as upstream.
import { cloneJson, jsonEqual } from '../../api/json.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { badPatch, unprocessablePatch, unsupportedPatch } from './errors.js';
import { schemaForKind } from './schema.js';
import type { FieldMeta, TypeMeta } from './schema.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** Media types accepted where strategic merge patch is not (custom and unknown kinds). */
const NON_STRATEGIC_TYPES = 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';

/**
 * Applies a strategic merge patch to a copy of `original`. Throws: 415 (Unimplemented) for kinds
 * without patch metadata, 400 (InvalidArgument) for malformed directives, 422 (FailedPrecondition)
 * for patches that contradict the object (lists of lists, content outside `$retainKeys`).
 * A patch that is not a JSON object is 400, as upstream's decoding into a map answers.
 */
export function applyStrategicMergePatch(kind: string, original: JsonObject, patch: JsonValue): JsonObject {
  const schema = schemaForKind(kind);
  if (schema === undefined) {
    throw unsupportedPatch(`the body of the request was in an unknown format - accepted media types include: ${NON_STRATEGIC_TYPES}`);
  }
  if (!isJsonObject(patch)) throw badPatch('invalid JSON document');
  return mergeMap(cloneJson(original), cloneJson(patch), schema);
}

function show(v: JsonValue): string {
  return JSON.stringify(v);
}

/** Merges `patch` into `original` (both owned by the caller, both may be modified). */
function mergeMap(original: JsonObject, patch: JsonObject, type: TypeMeta | undefined): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    if (directive === 'delete') return {};
    if (directive === 'replace') return mergeMap({}, patch, type);
    if (directive !== 'merge') throw badPatch(`Unknown patch type: ${String(directive)} in map: ${show(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, type);
  for (const [rawKey, patchValue] of Object.entries(patch)) {
    let key = rawKey;
    let deleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      key = directiveTarget(rawKey, DELETE_FROM_PRIMITIVE_LIST, 'invalid patch format of primitive list');
      deleteList = true;
    } else if (rawKey.startsWith('$')) {
      continue; // an unknown directive: not a field of any object
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const meta = type?.[key];
    const current = original[key];
    if (deleteList) {
      if (!Array.isArray(patchValue)) throw badPatch('invalid patch format of primitive list');
      if (Array.isArray(current)) original[key] = current.filter((v) => !patchValue.some((d) => jsonEqual(d, v)));
      continue;
    }
    if (current === undefined || current === null) {
      original[key] = fresh(patchValue, meta);
    } else if (isJsonObject(current) && isJsonObject(patchValue)) {
      original[key] = mergeMap(current, patchValue, meta?.type);
    } else if (Array.isArray(current) && Array.isArray(patchValue)) {
      original[key] = meta?.merge === true ? mergeList(current, patchValue, meta) : fresh(patchValue, meta);
    } else {
      original[key] = fresh(patchValue, meta);
    }
  }
  return original;
}

/** A patch value for a field the original lacks (or replaces whole): merged into nothing. */
function fresh(value: JsonValue, meta: FieldMeta | undefined): JsonValue {
  if (isJsonObject(value)) return mergeMap({}, value, meta?.type);
  if (Array.isArray(value)) return freshList(value, meta);
  return value;
}

function freshList(list: JsonValue[], meta: FieldMeta | undefined): JsonValue[] {
  if (meta?.merge === true) return mergeList([], list, meta);
  return list.map((v) => (isJsonObject(v) ? mergeMap({}, v, meta?.type) : v));
}

function directiveTarget(key: string, prefix: string, error: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) throw badPatch(error);
  return key.slice(slash + 1);
}

/** `$retainKeys`: fields of the original not listed are cleared (a union type's other members). */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badPatch('invalid patch format of retainKeys');
  const retained = new Set(list.filter((v): v is string => typeof v === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER) || k === DIRECTIVE) continue;
    if (!retained.has(k)) throw unprocessablePatch("patch content doesn't match retainKeys list");
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

type KeyFn = (v: JsonValue) => JsonValue | undefined;

function keyFnFor(mergeKey: string | undefined): KeyFn {
  if (mergeKey === undefined) return (v) => v;
  return (v) => (isJsonObject(v) ? v[mergeKey] : undefined);
}

function indexIn(list: JsonValue[], item: JsonValue, keyOf: KeyFn): number {
  const k = keyOf(item);
  if (k === undefined) return -1;
  return list.findIndex((x) => {
    const xk = keyOf(x);
    return xk !== undefined && jsonEqual(xk, k);
  });
}

/** `$setElementOrder/<field>`: the list's final order; items it does not name keep theirs. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, type: TypeMeta | undefined): void {
  for (const directiveKey of Object.keys(patch)) {
    if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[directiveKey];
    delete patch[directiveKey];
    const error = 'invalid patch format of setElementOrder list';
    if (!Array.isArray(order)) throw badPatch(error);
    const field = directiveTarget(directiveKey, SET_ELEMENT_ORDER, error);
    const current = original[field];
    const patchList = patch[field];
    if (patchList === null) continue; // the list is being deleted: nothing to order
    if (current !== undefined && current !== null && !Array.isArray(current)) throw badPatch(error);
    if (patchList !== undefined && !Array.isArray(patchList)) throw badPatch(error);
    const meta = type?.[field];
    const keyOf = keyFnFor(meta?.mergeKey);
    if (patchList !== undefined) checkOrder(patchList, order, meta?.mergeKey, keyOf);
    const currentList = Array.isArray(current) ? current : undefined;
    let merged: JsonValue[];
    if (currentList !== undefined && patchList === undefined) merged = currentList;
    else if (patchList !== undefined) {
      const base = currentList ?? [];
      merged = meta?.merge === true ? mergeList(base, patchList, meta) : freshList(patchList, meta);
    } else continue;
    const inOrder = merged.filter((v) => indexIn(order, v, keyOf) >= 0);
    const serverOnly = merged.filter((v) => indexIn(order, v, keyOf) < 0);
    original[field] = normalizeOrder(inOrder, serverOnly, order, currentList ?? [], keyOf);
    delete patch[field];
  }
}

function isDeleteElement(v: JsonValue): boolean {
  return isJsonObject(v) && v[DIRECTIVE] === 'delete';
}

/** The patch list must name items in the same relative order as `$setElementOrder`. */
function checkOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string | undefined, keyOf: KeyFn): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey === undefined ? patchList : patchList.filter((v) => !isDeleteElement(v));
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p] ?? null;
    if (isJsonObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    const a = keyOf(item);
    const b = keyOf(order[s] ?? null);
    if (a === undefined || b === undefined) {
      throw badPatch(`map: ${show(a === undefined ? item : (order[s] ?? null))} does not contain declared merge key: ${mergeKey ?? ''}`);
    }
    if (jsonEqual(a, b)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw badPatch(`The order in patch list:\n${show(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${show(order)}\n`);
  }
}

function elementsAreObjects(list: JsonValue[]): boolean {
  let objects = 0;
  for (const v of list) {
    if (Array.isArray(v)) throw unprocessablePatch('lists of lists are not supported');
    if (isJsonObject(v)) objects++;
  }
  if (objects !== 0 && objects !== list.length) throw badPatch(`list element types are not identical: ${show(list)}`);
  return objects > 0;
}

/** Merges a list with merge strategy: by key for objects, as an ordered set for scalars. */
function mergeList(original: JsonValue[], patch: JsonValue[], meta: FieldMeta): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  if (!elementsAreObjects([...original, ...patch])) {
    const keyOf = keyFnFor(undefined);
    const merged: JsonValue[] = [];
    for (const v of [...original, ...patch]) if (indexIn(merged, v, keyOf) < 0) merged.push(v);
    const fromPatch = merged.filter((v) => indexIn(patch, v, keyOf) >= 0);
    const serverOnly = merged.filter((v) => indexIn(patch, v, keyOf) < 0);
    return normalizeOrder(fromPatch, serverOnly, patch, original, keyOf);
  }
  const mergeKey = meta.mergeKey;
  if (mergeKey === undefined) throw unprocessablePatch('cannot merge lists without merge key for type map');
  const keyOf = keyFnFor(mergeKey);
  const [base, items] = applyListDirectives(original, patch, mergeKey, meta);
  const merged = [...base];
  for (const item of items) {
    if (!isJsonObject(item) || item[mergeKey] === undefined) {
      throw badPatch(`map: ${show(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const at = indexIn(merged, item, keyOf);
    const existing = merged[at];
    if (at >= 0 && isJsonObject(existing)) merged[at] = mergeMap(existing, item, meta.type);
    else merged.push(fresh(item, { type: meta.type }));
  }
  const fromPatch = merged.filter((v) => indexIn(items, v, keyOf) >= 0);
  const serverOnly = merged.filter((v) => indexIn(items, v, keyOf) < 0);
  return normalizeOrder(fromPatch, serverOnly, items, base, keyOf);
}

/** Handles `{$patch: delete, <key>: v}` and `{$patch: replace}` elements; returns (base, items). */
function applyListDirectives(original: JsonValue[], patch: JsonValue[], mergeKey: string, meta: FieldMeta): [JsonValue[], JsonValue[]] {
  let base = original;
  const items: JsonValue[] = [];
  let replace = false;
  for (const v of patch) {
    if (!isJsonObject(v) || !Object.hasOwn(v, DIRECTIVE)) {
      items.push(v);
      continue;
    }
    const directive = v[DIRECTIVE];
    if (directive === 'delete') {
      const value = v[mergeKey];
      if (value === undefined) throw badPatch(`map: ${show(v)} does not contain declared merge key: ${mergeKey}`);
      base = base.filter((o) => !(isJsonObject(o) && o[mergeKey] !== undefined && jsonEqual(o[mergeKey], value)));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw badPatch('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatch(`Unknown patch type: ${String(directive)} in map: ${show(v)}`);
    }
  }
  if (replace) return [items.map((v) => fresh(v, { type: meta.type })), []];
  return [base, items];
}

/**
 * Upstream's normalizeElementOrder: patch items in patch order, server-only items in their
 * original order, then interleaved by their positions in the original list.
 */
function normalizeOrder(fromPatch: JsonValue[], serverOnly: JsonValue[], patchOrder: JsonValue[], serverOrder: JsonValue[], keyOf: KeyFn): JsonValue[] {
  const sortBy = (items: JsonValue[], order: JsonValue[]): JsonValue[] =>
    items
      .map((v, i) => ({ v, i, at: indexIn(order, v, keyOf) }))
      .sort((a, b) => {
        if (a.at >= 0 && b.at >= 0) return a.at - b.at;
        if (a.at >= 0) return -1;
        if (b.at >= 0) return 1;
        return a.i - b.i;
      })
      .map((x) => x.v);
  const left = sortBy(serverOnly, serverOrder);
  const right = sortBy(fromPatch, patchOrder);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (l === undefined) {
      out.push(right[j++] ?? null);
    } else if (r === undefined) {
      out.push(left[i++] ?? null);
    } else {
      const li = indexIn(serverOrder, l, keyOf);
      const ri = indexIn(serverOrder, r, keyOf);
      // A server item goes first only when both are in the original and it came earlier.
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] ?? null);
      else out.push(right[j++] ?? null);
    }
  }
  return out;
}
