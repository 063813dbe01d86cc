// POST: create an object, or a pod's binding to a node (pods/binding, what a scheduler posts).
import { isJsonObject, type KubeObject } from '../../api/object.js';
import { stringAt } from '../../api/json.js';
import { negotiate } from '../negotiation.js';
import { rfc3339 } from '../registry/registry.js';
import { writeJson } from '../respond.js';
import { apiVersionOf } from '../resources.js';
import { badRequest, conflict, methodNotSupported } from '../status.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { readObjectBody } from './decode.js';
import { checkFieldValidation, dryRunOf } from './query.js';

export async function handleCreate(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  negotiate(ctx.req.headers.accept, { table: false, metadata: false });
  if (ctx.subresource?.name === 'binding') return handleBinding(ctx, deps);
  if (ctx.subresource !== undefined || ctx.info.name !== '') throw methodNotSupported(ctx.resource, 'create');
  const dryRun = dryRunOf(ctx.query);
  checkFieldValidation(ctx.query);
  const body = await readObjectBody(ctx.req, { group: ctx.resource.group, version: ctx.resource.version, kind: ctx.resource.kind });
  const created = await deps.registry.create(ctx.resource, ctx.info.namespace, body, { dryRun });
  writeJson(ctx.res, 201, created);
}

/**
 * Binds an unscheduled pod to a node: sets spec.nodeName and the PodScheduled condition, once.
 * A pod already bound or being deleted answers 409, as upstream's BindingREST.
 */
async function handleBinding(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const dryRun = dryRunOf(ctx.query);
  const binding = await readObjectBody(ctx.req, { group: '', version: 'v1', kind: 'Binding' });
  const name = ctx.info.name;
  if ((binding.metadata.name ?? name) !== name) throw badRequest('name in URL does not match name in Binding object');
  const target = isJsonObject(binding.target) ? binding.target : undefined;
  const node = stringAt(target, 'name') ?? '';
  const kind = stringAt(target, 'kind') ?? 'Node';
  if (node === '' || (kind !== '' && kind !== 'Node')) throw badRequest('a Binding needs target.kind Node and a target.name');
  const bindingResource = { group: '', resource: 'pods/binding' };
  const now = rfc3339(deps.clock.now());
  await deps.registry.update(ctx.resource, ctx.info.namespace, name, {
    target: 'binding',
    dryRun,
    // Runs against each fresh read of the pod, so a racing binding is seen and refused.
    compute: (pod) => {
      if (pod.metadata.deletionTimestamp !== undefined) throw conflict(bindingResource, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      const current = stringAt(isJsonObject(pod.spec) ? pod.spec : undefined, 'nodeName') ?? '';
      if (current !== '') throw conflict(bindingResource, name, `pod ${name} is already assigned to node "${current}"`);
      return bind(pod, node, binding.metadata.annotations, now);
    },
  });
  writeJson(ctx.res, 201, { kind: 'Status', apiVersion: apiVersionOf({ group: '', version: 'v1' }), metadata: {}, status: 'Success', code: 201 });
}

function bind(pod: KubeObject, node: string, annotations: Record<string, string> | undefined, now: string): KubeObject {
  const next = structuredClone(pod);
  delete next.metadata.resourceVersion;
  const spec = isJsonObject(next.spec) ? next.spec : {};
  spec.nodeName = node;
  next.spec = spec;
  if (annotations !== undefined) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), ...annotations };
  const status = isJsonObject(next.status) ? next.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter((c) => !(isJsonObject(c) && c.type === 'PodScheduled')) : [];
  conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now });
  status.conditions = conditions;
  next.status = status;
  return next;
}
