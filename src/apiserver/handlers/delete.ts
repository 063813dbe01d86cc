// DELETE of one object and of a collection (deletecollection, with selectors). DeleteOptions
// come from the query and/or a JSON body (kind DeleteOptions); the body wins where both say.
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/object.js';
import { asJson } from '../../api/json.js';
import { decodeBody, readBody, requireObject } from '../body.js';
import { negotiate } from '../negotiation.js';
import { deleteObject, type DeleteOptions } from '../registry/delete.js';
import { listObjects } from '../registry/list.js';
import { parseSelection, predicateFor } from '../registry/selection.js';
import { writeJson } from '../respond.js';
import { apiVersionOf } from '../resources.js';
import { ApiError, badRequest, methodNotSupported, successStatus, toApiError } from '../status.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { intParam, propagationPolicyOf } from './query.js';

export async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const q = ctx.query;
  const grace = intParam(q, 'gracePeriodSeconds');
  const opts: DeleteOptions = { dryRun: q.getAll('dryRun').length > 0 };
  for (const v of q.getAll('dryRun')) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const policy = propagationPolicyOf(q.get('propagationPolicy')) ?? orphanPolicy(q.get('orphanDependents'));
  if (policy !== undefined) opts.propagationPolicy = policy;

  const body = await readBody(ctx.req);
  if (body.toString('utf8').trim() === '') return opts;
  const doc = requireObject(decodeBody(body, ctx.req.headers['content-type']), body);
  if (doc.kind !== undefined && doc.kind !== 'DeleteOptions') throw badRequest(`${String(doc.kind)} in version "v1" cannot be handled as a DeleteOptions`);
  if (doc.gracePeriodSeconds !== undefined && doc.gracePeriodSeconds !== null) {
    if (typeof doc.gracePeriodSeconds !== 'number' || !Number.isSafeInteger(doc.gracePeriodSeconds)) throw badRequest('gracePeriodSeconds must be an integer');
    opts.gracePeriodSeconds = doc.gracePeriodSeconds;
  }
  const bodyPolicy = propagationPolicyOf(doc.propagationPolicy) ?? orphanPolicy(doc.orphanDependents);
  if (bodyPolicy !== undefined) opts.propagationPolicy = bodyPolicy;
  if (isJsonObject(doc.preconditions)) {
    const { uid, resourceVersion } = doc.preconditions;
    opts.preconditions = {
      ...(typeof uid === 'string' ? { uid } : {}),
      ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    };
  }
  if (Array.isArray(doc.dryRun)) {
    for (const v of doc.dryRun) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
    if (doc.dryRun.length > 0) opts.dryRun = true;
  }
  return opts;
}

/** The deprecated orphanDependents flag as a policy. */
function orphanPolicy(value: unknown): DeleteOptions['propagationPolicy'] {
  if (value === true || value === 'true') return 'Orphan';
  if (value === false || value === 'false') return 'Background';
  return undefined;
}

export async function handleDelete(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  negotiate(ctx.req.headers.accept, { table: false, metadata: false });
  if (ctx.subresource !== undefined) throw methodNotSupported(ctx.resource, 'delete');
  const opts = await readDeleteOptions(ctx);
  const r = ctx.resource;
  const { object, deleted } = await deleteObject(deps.registry, r, ctx.info.namespace, ctx.info.name, opts);
  if (deleted && !r.returnDeletedObject) {
    writeJson(ctx.res, 200, successStatus(r, object.metadata.name ?? ctx.info.name, object.metadata.uid));
    return;
  }
  writeJson(ctx.res, 200, object);
}

export async function handleDeleteCollection(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  negotiate(ctx.req.headers.accept, { table: false, metadata: false });
  const r = ctx.resource;
  if (!r.verbs.includes('deletecollection')) throw methodNotSupported(r, 'deletecollection');
  const opts = await readDeleteOptions(ctx);
  const selection = parseSelection(r, ctx.query.get('labelSelector'), ctx.query.get('fieldSelector'));
  const predicate = predicateFor(r, selection);
  const list = await listObjects(deps.registry.objects, deps.clock, r, { namespace: ctx.info.namespace, ...(predicate ? { predicate } : {}) });
  const items: JsonObject[] = [];
  for (const obj of list.items) {
    const result = await deleteOne(deps, ctx, obj, opts);
    if (result !== undefined) {
      const { apiVersion: _a, kind: _k, ...rest } = asJson(result);
      items.push(rest);
    }
  }
  writeJson(ctx.res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: {}, items });
}

/** One member of a collection delete; one already gone is skipped, as upstream does. */
async function deleteOne(deps: HandlerDeps, ctx: RequestContext, obj: KubeObject, opts: DeleteOptions): Promise<KubeObject | undefined> {
  try {
    const { object } = await deleteObject(deps.registry, ctx.resource, obj.metadata.namespace ?? '', obj.metadata.name ?? '', opts);
    return object;
  } catch (err) {
    const e = toApiError(err, ctx.resource, obj.metadata.name ?? '');
    if (e instanceof ApiError && e.code === 404) return undefined;
    throw e;
  }
}
