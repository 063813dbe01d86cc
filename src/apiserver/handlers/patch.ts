// PATCH with the three client-side patch types (JSON patch, JSON merge patch, strategic merge
// patch). The patch is applied to a fresh read on every attempt; it is conditional only when it
// sets metadata.resourceVersion itself, as upstream. Server-side apply (apply-patch+yaml) is not
// served: 415 says so and lists what is.
import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../../api/object.js';
import { asJson } from '../../api/json.js';
import { errorMessage } from '../../base/errors.js';
import { readBody, mediaTypeOf, summarize } from '../body.js';
import { negotiate } from '../negotiation.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, httpStatusForPatchError } from '../patch/index.js';
import { writeJson } from '../respond.js';
import { ApiError, badRequest } from '../status.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { toKubeObject, type ExpectedKind } from './decode.js';
import { checkFieldValidation, dryRunOf } from './query.js';
import { handleScalePatch } from './scale.js';
import { updateTargetOf } from './update.js';

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';
const SERVED_PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH];

/** A parsed patch that can be applied to any version of the object. */
export interface Patch {
  apply(current: JsonObject): JsonValue;
  /** The patch itself sets metadata.resourceVersion (then it is a precondition). */
  setsResourceVersion: boolean;
}

/** Reads and parses the patch body for its Content-Type; 415 for types this server does not apply. */
export async function readPatch(ctx: RequestContext, kind: string): Promise<Patch> {
  const media = mediaTypeOf(ctx.req.headers['content-type']);
  if (!SERVED_PATCH_TYPES.includes(media)) {
    const note = media === APPLY_PATCH ? ' (server-side apply is not supported by this server: use kubectl apply without --server-side)' : '';
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${SERVED_PATCH_TYPES.join(', ')}${note}`);
  }
  const body = await readBody(ctx.req);
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding patch: ${errorMessage(err)} (${summarize(body.toString('utf8'))})`);
  }
  if (media === JSON_PATCH) {
    if (!Array.isArray(doc)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch: a JSON patch is a list of operations');
    const ops = doc;
    const setsRv = ops.some((op) => isJsonObject(op) && typeof op.path === 'string' && op.path.startsWith('/metadata/resourceVersion'));
    return { apply: (current) => patchCall(() => applyJsonPatch(current, ops)), setsResourceVersion: setsRv };
  }
  if (!isJsonObject(doc)) throw badRequest('a merge patch must be a JSON object');
  const patch = doc;
  const meta = isJsonObject(patch.metadata) ? patch.metadata : undefined;
  const setsRv = meta !== undefined && typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '';
  if (media === MERGE_PATCH) return { apply: (current) => patchCall(() => applyMergePatch(current, patch)), setsResourceVersion: setsRv };
  return { apply: (current) => patchCall(() => applyStrategicMergePatch(kind, current, patch)), setsResourceVersion: setsRv };
}

/** Applies a patch to an object and checks the result is still an object of the expected kind. */
export function patchObject(current: KubeObject, patch: Patch, expected: ExpectedKind): KubeObject {
  const patched = patch.apply(asJson(structuredClone(current)));
  if (!isJsonObject(patched)) throw badRequest('the patch does not leave an object');
  const obj = toKubeObject(patched, expected);
  if (!patch.setsResourceVersion) delete obj.metadata.resourceVersion;
  return obj;
}

export async function handlePatch(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  negotiate(ctx.req.headers.accept, { table: false, metadata: false });
  if (ctx.subresource?.name === 'scale') return handleScalePatch(ctx, deps);
  const target = updateTargetOf(ctx);
  const dryRun = dryRunOf(ctx.query);
  checkFieldValidation(ctx.query);
  const r = ctx.resource;
  const patch = await readPatch(ctx, r.kind);
  const expected = { group: r.group, version: r.version, kind: r.kind };
  const { object } = await deps.registry.update(r, ctx.info.namespace, ctx.info.name, {
    target,
    dryRun,
    compute: (current) => patchObject(current, patch, expected),
  });
  writeJson(ctx.res, 200, object);
}

/** Patch library errors carry the HTTP status upstream answers with. */
function patchCall(fn: () => JsonValue): JsonValue {
  try {
    return fn();
  } catch (err) {
    const message = errorMessage(err);
    switch (httpStatusForPatchError(err)) {
      case 400:
        throw badRequest(message);
      case 413:
        throw new ApiError(413, 'RequestEntityTooLarge', message);
      case 415:
        throw new ApiError(415, 'UnsupportedMediaType', message);
      case 422:
        throw new ApiError(422, 'Invalid', message, { causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] });
      default:
        throw err;
    }
  }
}
