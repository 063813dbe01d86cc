// GET of one object and of a collection (list), in the negotiated representation.
import { negotiate } from '../negotiation.js';
import { listObjects } from '../registry/list.js';
import { parseSelection, predicateFor } from '../registry/selection.js';
import { writeJson } from '../respond.js';
import { badRequest } from '../status.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { renderList, renderObject, type Renderer } from './output.js';
import { includeObjectOf, limitOf } from './query.js';

export function rendererFor(ctx: RequestContext, deps: HandlerDeps): Renderer {
  const representation = negotiate(ctx.req.headers.accept, { table: true, metadata: true });
  return { representation, toTable: deps.toTable, tableOptions: { includeObject: includeObjectOf(ctx.query), now: deps.clock.now() } };
}

export async function handleGet(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const out = rendererFor(ctx, deps);
  const rv = ctx.query.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  // Any resourceVersion is served from the latest state: "0" and NotOlderThan permit it, and a
  // single object's history is not kept apart from the store's.
  const obj = await deps.registry.get(ctx.resource, ctx.info.namespace, ctx.info.name);
  writeJson(ctx.res, 200, renderObject(ctx.resource, obj, out));
}

export async function handleList(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const out = rendererFor(ctx, deps);
  const selection = parseSelection(ctx.resource, ctx.query.get('labelSelector'), ctx.query.get('fieldSelector'));
  const predicate = predicateFor(ctx.resource, selection);
  const limit = limitOf(ctx.query);
  const list = await listObjects(deps.registry.objects, deps.clock, ctx.resource, {
    namespace: ctx.info.namespace,
    ...(predicate !== undefined ? { predicate } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...optional('continueToken', ctx.query.get('continue')),
    ...optional('resourceVersion', ctx.query.get('resourceVersion')),
    ...optional('resourceVersionMatch', ctx.query.get('resourceVersionMatch')),
  });
  const meta = { resourceVersion: list.resourceVersion, ...(list.continueToken !== undefined ? { continue: list.continueToken } : {}) };
  writeJson(ctx.res, 200, renderList(ctx.resource, list.items, meta, out));
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null || value === '' ? {} : ({ [key]: value } as Partial<Record<K, string>>);
}
