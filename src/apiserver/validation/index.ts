// Validation of untrusted objects before they are stored: one entry point per request, with
// upstream's field causes so the server can answer 422 Invalid exactly as kube-apiserver does.
// Run after defaulting, as upstream does (defaults are part of decoding).
import { asJson, objectAt } from '../../api/json.js';
import type { NameFormat } from '../../api/names.js';
import type { JsonObject, KubeObject } from '../../api/object.js';
import { validateDeploymentSpec, validateReplicaSetSpec, validateSelectorUpdate } from './apps.js';
import type { FieldCause } from './field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import type { MetaRules } from './meta.js';
import {
  validateConfigMap,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateEndpoints,
  validateEvent,
  validateImmutableData,
  validateLease,
  validateNamespace,
  validateNode,
  validateNodeUpdate,
  validateSecret,
  validateSecretUpdate,
} from './misc.js';
import { validatePodCreateSpec, validatePodSpec, validatePodTemplate } from './pod.js';
import { validatePodSpecUpdate } from './pod-update.js';
import { validateServiceSpec, validateServiceSpecUpdate } from './service.js';

export type { CauseReason, FieldCause } from './field.js';
export { causeText, invalidMessage, qualifiedKind } from './field.js';
export { validateLabels, validateAnnotations } from './meta.js';

interface Rules {
  meta: MetaRules;
  create?: (obj: JsonObject) => FieldCause[];
  /** Also applied to updates, after `update`'s own checks. */
  both?: (obj: JsonObject) => FieldCause[];
  update?: (obj: JsonObject, old: JsonObject) => FieldCause[];
}

const namespaced = (name: NameFormat = 'subdomain'): MetaRules => ({ namespaced: true, name });
const clusterScoped = (name: NameFormat = 'subdomain'): MetaRules => ({ namespaced: false, name });

const RULES = new Map<string, Rules>(
  Object.entries({
    pods: {
      meta: namespaced(),
      create: (o: JsonObject) => validatePodCreateSpec(objectAt(o, 'spec')),
      update: (o: JsonObject, old: JsonObject) => {
        const spec = objectAt(o, 'spec') ?? {};
        return [...validatePodSpec(spec, 'spec'), ...validatePodSpecUpdate(spec, objectAt(old, 'spec') ?? {})];
      },
    },
    services: {
      meta: namespaced('dns1035'),
      both: (o: JsonObject) => validateServiceSpec(objectAt(o, 'spec')),
      update: (o: JsonObject, old: JsonObject) => validateServiceSpecUpdate(objectAt(o, 'spec'), objectAt(old, 'spec')),
    },
    deployments: {
      meta: namespaced(),
      both: (o: JsonObject) => validateDeploymentSpec(objectAt(o, 'spec')),
      update: (o: JsonObject, old: JsonObject) => validateSelectorUpdate(objectAt(o, 'spec'), objectAt(old, 'spec')),
    },
    replicasets: {
      meta: namespaced(),
      both: (o: JsonObject) => validateReplicaSetSpec(objectAt(o, 'spec')),
      update: (o: JsonObject, old: JsonObject) => validateSelectorUpdate(objectAt(o, 'spec'), objectAt(old, 'spec')),
    },
    podtemplates: { meta: namespaced(), both: (o: JsonObject) => validatePodTemplate(objectAt(o, 'template'), 'template') },
    configmaps: {
      meta: namespaced(),
      both: validateConfigMap,
      update: (o: JsonObject, old: JsonObject) => validateImmutableData(o, old, ['data', 'binaryData']),
    },
    secrets: { meta: namespaced(), both: validateSecret, update: validateSecretUpdate },
    namespaces: { meta: clusterScoped('label'), both: validateNamespace },
    nodes: { meta: clusterScoped(), both: validateNode, update: validateNodeUpdate },
    leases: { meta: namespaced(), both: validateLease },
    endpointslices: { meta: namespaced(), both: validateEndpointSlice, update: validateEndpointSliceUpdate },
    endpoints: { meta: namespaced(), both: validateEndpoints },
    events: { meta: namespaced(), both: validateEvent },
    serviceaccounts: { meta: namespaced() },
  }),
);

function dedupe(causes: FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const key = `${c.reason}\u0000${c.field}\u0000${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The problems with `obj` as a new object of `resource` (plural), or as an update of `old`.
 * Empty when valid. Unknown resources get metadata checks only (a DNS subdomain name).
 */
export function validateObject(resource: string, obj: KubeObject, old?: KubeObject): FieldCause[] {
  const rules = RULES.get(resource);
  const json = asJson(obj);
  const causes: FieldCause[] = [];
  const meta = rules?.meta ?? { namespaced: obj.metadata.namespace !== undefined, name: 'subdomain' };
  if (old === undefined) {
    causes.push(...validateObjectMeta(obj.metadata, meta));
    if (rules?.create) causes.push(...rules.create(json));
  } else {
    causes.push(...validateObjectMetaUpdate(obj.metadata, old.metadata, meta));
    if (rules?.update) causes.push(...rules.update(json, asJson(old)));
  }
  if (rules?.both) causes.push(...rules.both(json));
  return dedupe(causes);
}
