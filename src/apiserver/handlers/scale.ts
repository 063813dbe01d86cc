// The scale subresource of deployments and replicasets (autoscaling/v1 Scale): GET reads
// spec.replicas, status.replicas and the selector; PUT and PATCH change spec.replicas only.
// What `kubectl scale` uses.
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/object.js';
import { numberAt } from '../../api/json.js';
import { formatLabelSelectorObject } from '../../api/labels.js';
import { negotiate } from '../negotiation.js';
import { writeJson } from '../respond.js';
import { invalid } from '../status.js';
import type { HandlerDeps, RequestContext } from './context.js';
import { readObjectBody, type ExpectedKind } from './decode.js';
import { patchObject, readPatch, type Patch } from './patch.js';
import { dryRunOf } from './query.js';

const SCALE_KIND: ExpectedKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

export function toScale(obj: KubeObject): KubeObject {
  const spec = isJsonObject(obj.spec) ? obj.spec : undefined;
  const status = isJsonObject(obj.status) ? obj.status : undefined;
  const m = obj.metadata;
  const metadata: KubeObject['metadata'] = { name: m.name ?? '' };
  if (m.namespace !== undefined) metadata.namespace = m.namespace;
  if (m.uid !== undefined) metadata.uid = m.uid;
  if (m.resourceVersion !== undefined) metadata.resourceVersion = m.resourceVersion;
  if (m.creationTimestamp !== undefined) metadata.creationTimestamp = m.creationTimestamp;
  const scaleStatus: JsonObject = { replicas: numberAt(status, 'replicas') ?? 0 };
  if (spec?.selector !== undefined) scaleStatus.selector = formatLabelSelectorObject(spec.selector);
  return { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata, spec: { replicas: numberAt(spec, 'replicas') ?? 1 }, status: scaleStatus };
}

export async function handleScaleGet(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  negotiate(ctx.req.headers.accept, { table: false, metadata: false });
  const obj = await deps.registry.get(ctx.resource, ctx.info.namespace, ctx.info.name);
  writeJson(ctx.res, 200, toScale(obj));
}

export async function handleScaleUpdate(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const body = await readObjectBody(ctx.req, SCALE_KIND);
  await writeScale(ctx, deps, () => body);
}

export async function handleScalePatch(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const patch: Patch = await readPatch(ctx, 'Scale');
  await writeScale(ctx, deps, (current) => patchObject(current, patch, SCALE_KIND));
}

async function writeScale(ctx: RequestContext, deps: HandlerDeps, desiredScale: (current: KubeObject) => KubeObject): Promise<void> {
  const dryRun = dryRunOf(ctx.query);
  const { object } = await deps.registry.update(ctx.resource, ctx.info.namespace, ctx.info.name, {
    target: '',
    dryRun,
    compute: (current) => {
      const scale = desiredScale(toScale(current));
      const replicas = isJsonObject(scale.spec) ? scale.spec.replicas : undefined;
      if (typeof replicas !== 'number' || !Number.isSafeInteger(replicas) || replicas < 0) {
        const cause = { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`, field: 'spec.replicas' };
        throw invalid(SCALE_KIND, ctx.info.name, [cause]);
      }
      const next = structuredClone(current);
      next.spec = { ...(isJsonObject(next.spec) ? next.spec : {}), replicas };
      const rv = scale.metadata.resourceVersion;
      if (rv === undefined || rv === '') delete next.metadata.resourceVersion;
      else next.metadata.resourceVersion = rv;
      return next;
    },
  });
  writeJson(ctx.res, 200, toScale(object));
}
