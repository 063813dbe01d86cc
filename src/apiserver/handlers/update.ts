// PUT: replace an object, its status (…/status) or a namespace's finalizers (…/finalize). The
// body's resourceVersion makes the write conditional (409 when stale); without one it is
// unconditional, as upstream.
import { negotiate } from '../negotiation.js';
import { writeJson } from '../respond.js';
import { methodNotSupported } from '../status.js';
import type { UpdateTarget } from '../registry/strategy.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { readObjectBody } from './decode.js';
import { checkFieldValidation, dryRunOf } from './query.js';
import { handleScaleUpdate } from './scale.js';

export function updateTargetOf(ctx: RequestContext): UpdateTarget {
  const sub = ctx.subresource?.name;
  if (sub === undefined) return '';
  if (sub === 'status' || sub === 'finalize') return sub;
  throw methodNotSupported(ctx.resource, 'update');
}

export async function handleUpdate(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  negotiate(ctx.req.headers.accept, { table: false, metadata: false });
  if (ctx.subresource?.name === 'scale') return handleScaleUpdate(ctx, deps);
  const target = updateTargetOf(ctx);
  const dryRun = dryRunOf(ctx.query);
  checkFieldValidation(ctx.query);
  const body = await readObjectBody(ctx.req, { group: ctx.resource.group, version: ctx.resource.version, kind: ctx.resource.kind });
  if (ctx.resource.namespaced && (body.metadata.namespace ?? '') === '') body.metadata.namespace = ctx.info.namespace;
  const { object, created } = await deps.registry.update(ctx.resource, ctx.info.namespace, ctx.info.name, {
    target,
    dryRun,
    compute: () => structuredClone(body),
    createBody: body,
  });
  writeJson(ctx.res, created ? 201 : 200, object);
}
