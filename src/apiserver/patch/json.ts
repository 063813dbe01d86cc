// JSON patch (RFC 6902, application/json-patch+json) over JSON pointers (RFC 6901).
// A body that is not a list of operations is 400; an operation that does not apply to the
// document (a failed `test`, a missing path) is 422, as kube-apiserver answers (handlers/patch.go);
// the messages follow evanphx/json-patch, the library upstream uses.
import { cloneJson, jsonEqual } from '../../api/json.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { badPatch, patchTooLarge, unprocessablePatch } from './errors.js';

/** kube-apiserver's limit on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: JsonValue;
  hasValue: boolean;
}

function decode(ops: unknown): Operation[] {
  if (!Array.isArray(ops)) throw badPatch('json patch must be a JSON array of operations');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw patchTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  return ops.map((raw, i) => {
    if (!isJsonObject(raw)) throw badPatch(`json patch operation ${i} must be an object`);
    const { op, path, from } = raw;
    if (typeof op !== 'string') throw badPatch(`json patch operation ${i} has no "op"`);
    if (typeof path !== 'string') throw badPatch(`json patch operation ${i} has no "path"`);
    const out: Operation = { op, path, hasValue: 'value' in raw };
    if (typeof from === 'string') out.from = from;
    const value = raw['value'];
    if (value !== undefined) out.value = value;
    return out;
  });
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessablePatch(`JSON pointer must be empty or start with a "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw unprocessablePatch(`Unable to access invalid index: ${token}: invalid index referenced`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) {
    throw unprocessablePatch(`Unable to access invalid index: ${i}: invalid index referenced`);
  }
  return i;
}

/** The value at `tokens`, or undefined when any step is missing. */
function get(doc: JsonValue, tokens: string[]): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      if (!/^(0|[1-9][0-9]*)$/.test(t)) return undefined;
      cur = cur[Number(t)];
    } else if (isJsonObject(cur)) {
      cur = Object.hasOwn(cur, t) ? cur[t] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** The container of the last token: an object or a list, or undefined when missing. */
function parentOf(doc: JsonValue, tokens: string[]): JsonObject | JsonValue[] | undefined {
  const parent = get(doc, tokens.slice(0, -1));
  return Array.isArray(parent) || isJsonObject(parent) ? parent : undefined;
}

class Doc {
  constructor(public root: JsonValue) {}

  add(path: string, value: JsonValue, op = 'add'): void {
    const tokens = parsePointer(path);
    const key = tokens.at(-1);
    if (key === undefined) {
      this.root = value;
      return;
    }
    const parent = parentOf(this.root, tokens);
    if (parent === undefined) throw unprocessablePatch(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    if (Array.isArray(parent)) {
      const i = key === '-' ? parent.length : arrayIndex(key, parent.length, true);
      parent.splice(i, 0, value);
    } else {
      parent[key] = value;
    }
  }

  remove(path: string, op = 'remove'): JsonValue {
    const tokens = parsePointer(path);
    const key = tokens.at(-1);
    const parent = key === undefined ? undefined : parentOf(this.root, tokens);
    const missing = (): never => {
      throw unprocessablePatch(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    };
    if (key === undefined || parent === undefined) return missing();
    if (Array.isArray(parent)) {
      const i = arrayIndex(key, parent.length, false);
      const [removed] = parent.splice(i, 1);
      return removed ?? null;
    }
    if (!Object.hasOwn(parent, key)) return missing();
    const removed = parent[key];
    delete parent[key];
    return removed ?? null;
  }

  replace(path: string, value: JsonValue): void {
    const tokens = parsePointer(path);
    const key = tokens.at(-1);
    if (key === undefined) {
      this.root = value;
      return;
    }
    const parent = parentOf(this.root, tokens);
    const missing = `replace operation does not apply: doc is missing key: ${path}: missing value`;
    if (parent === undefined) throw unprocessablePatch(missing);
    if (Array.isArray(parent)) {
      parent[arrayIndex(key, parent.length, false)] = value;
    } else {
      if (!Object.hasOwn(parent, key)) throw unprocessablePatch(missing);
      parent[key] = value;
    }
  }

  read(path: string, op: string): JsonValue {
    const value = get(this.root, parsePointer(path));
    if (value === undefined) throw unprocessablePatch(`${op} operation does not apply: doc is missing from path: ${path}: missing value`);
    return value;
  }
}

function requireValue(o: Operation): JsonValue {
  if (!o.hasValue || o.value === undefined) throw unprocessablePatch(`${o.op} operation has no value: ${o.path}: missing value`);
  return cloneJson(o.value);
}

function requireFrom(o: Operation): string {
  if (o.from === undefined) throw unprocessablePatch(`${o.op} operation has no from: ${o.path}: missing value`);
  return o.from;
}

/** Applies the operations in order to a copy of `original`; all or nothing. */
export function applyJsonPatch(original: JsonValue, ops: unknown): JsonValue {
  const operations = decode(ops);
  const doc = new Doc(cloneJson(original));
  for (const o of operations) {
    switch (o.op) {
      case 'add':
        doc.add(o.path, requireValue(o));
        break;
      case 'remove':
        doc.remove(o.path);
        break;
      case 'replace':
        doc.replace(o.path, requireValue(o));
        break;
      case 'move': {
        const from = requireFrom(o);
        if (o.path.startsWith(`${from}/`)) {
          throw unprocessablePatch(`move operation does not apply: a location cannot be moved into one of its children: ${from} -> ${o.path}`);
        }
        doc.read(from, 'move');
        doc.add(o.path, doc.remove(from, 'move'), 'move');
        break;
      }
      case 'copy': {
        const value = cloneJson(doc.read(requireFrom(o), 'copy'));
        doc.add(o.path, value, 'copy');
        break;
      }
      case 'test': {
        const expected = o.hasValue && o.value !== undefined ? o.value : null;
        // As upstream's library: a missing location equals null.
        const actual = get(doc.root, parsePointer(o.path));
        if (!jsonEqual(actual ?? null, expected)) {
          throw unprocessablePatch(`testing value ${o.path} failed: test failed`);
        }
        break;
      }
      default:
        throw unprocessablePatch(`Unexpected kind: ${o.op}`);
    }
  }
  return doc.root;
}
