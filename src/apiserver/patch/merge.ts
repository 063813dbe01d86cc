// JSON merge patch (RFC 7386, application/merge-patch+json): objects merge key by key, null
// deletes, everything else (lists included) replaces.
import { cloneJson } from '../../api/json.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonObject, JsonValue } from '../../api/object.js';

/** Returns a new document; neither argument is modified or aliased by the result. */
export function applyMergePatch(original: JsonValue, patch: JsonValue): JsonValue {
  return mergeInto(cloneJson(original), patch);
}

function mergeInto(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergeInto(out[key] ?? null, value);
  }
  return out;
}
