// Patching for PATCH requests: the three patch types kube-apiserver accepts for built-in kinds.
// Server-side apply (application/apply-patch+yaml) is not implemented: kubectl apply defaults to
// client-side apply, which sends a strategic merge patch carrying the last-applied annotation.
// After patching, the server re-applies defaults and validates, as upstream decodes the result.
export { applyMergePatch } from './merge.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json.js';
export { applyStrategicMergePatch } from './strategic.js';
export { httpStatusForPatchError } from './errors.js';
export { schemaForKind } from './schema.js';

export const PATCH_CONTENT_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export type PatchType = keyof typeof PATCH_CONTENT_TYPES;

/** The patch type of a Content-Type header value (parameters ignored), if it is one. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const types: PatchType[] = ['json', 'merge', 'strategic', 'apply'];
  return types.find((t) => PATCH_CONTENT_TYPES[t] === mediaType);
}
