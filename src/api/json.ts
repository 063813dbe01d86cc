// Small accessors over untyped JSON, so kind-specific code can read API objects without casts
// or `!`: every accessor returns undefined when the value is missing or of another type.
import { isJsonObject } from './object.js';
import type { JsonObject, JsonValue, KubeObject } from './object.js';

export function objectAt(o: JsonObject | undefined, key: string): JsonObject | undefined {
  const v = o?.[key];
  return isJsonObject(v) ? v : undefined;
}

export function arrayAt(o: JsonObject | undefined, key: string): JsonValue[] | undefined {
  const v = o?.[key];
  return Array.isArray(v) ? v : undefined;
}

/** The object elements of a list field; other elements are skipped. */
export function objectsAt(o: JsonObject | undefined, key: string): JsonObject[] {
  return (arrayAt(o, key) ?? []).filter(isJsonObject);
}

export function stringAt(o: JsonObject | undefined, key: string): string | undefined {
  const v = o?.[key];
  return typeof v === 'string' ? v : undefined;
}

export function numberAt(o: JsonObject | undefined, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' ? v : undefined;
}

export function boolAt(o: JsonObject | undefined, key: string): boolean | undefined {
  const v = o?.[key];
  return typeof v === 'boolean' ? v : undefined;
}

/** A string map (labels, selectors, data); non-string values are skipped. */
export function stringMapAt(o: JsonObject | undefined, key: string): Record<string, string> | undefined {
  const v = objectAt(o, key);
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** The object under `key`, created empty when missing (or not an object). */
export function ensureObject(o: JsonObject, key: string): JsonObject {
  const v = o[key];
  if (isJsonObject(v)) return v;
  const created: JsonObject = {};
  o[key] = created;
  return created;
}

/** Sets `key` only when it is absent or null: the shape of every upstream defaulting rule. */
export function setDefault(o: JsonObject, key: string, value: JsonValue): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

export function cloneJson<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * A KubeObject seen as plain JSON. ObjectMeta is JSON by construction (its optional fields are
 * simply absent), so this is a view, not a conversion: writes go to the same object.
 */
export function asJson(obj: KubeObject): JsonObject {
  return obj as unknown as JsonObject;
}

/** Plain JSON seen as a KubeObject; callers validate apiVersion/kind/metadata first. */
export function asKube(obj: JsonObject): KubeObject {
  return obj as unknown as KubeObject;
}

/** A string quoted as Go's %q does for the strings API messages carry (JSON escaping is close enough). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
