// ObjectMeta validation (apimachinery api/validation/objectmeta.go and core's finalizer rule).
import { isQualifiedName, isValidLabelValue } from '../../api/labels.js';
import { validateName } from '../../api/names.js';
import type { NameFormat } from '../../api/names.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonValue, ObjectMeta } from '../../api/object.js';
import { forbidden, invalid, invalidEach, required, tooLong } from './field.js';
import type { FieldCause } from './field.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function entries(value: unknown): Array<[string, JsonValue]> {
  return isJsonObject(value) ? Object.entries(value) : [];
}

/** Label keys are qualified names, values label values; errors name the map, not the key. */
export function validateLabels(labels: unknown, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  for (const [k, v] of entries(labels)) {
    causes.push(...invalidEach(path, k, isQualifiedName(k)));
    if (typeof v !== 'string') causes.push(invalid(path, v, 'must be a string'));
    else causes.push(...invalidEach(path, v, isValidLabelValue(v)));
  }
  return causes;
}

/** Annotation keys are qualified names in any case; all of them together at most 256 KiB. */
export function validateAnnotations(annotations: unknown, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  let size = 0;
  for (const [k, v] of entries(annotations)) {
    causes.push(...invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    if (typeof v !== 'string') causes.push(invalid(path, v, 'must be a string'));
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

export function validateFinalizers(finalizers: unknown, path: string): FieldCause[] {
  if (!Array.isArray(finalizers)) return [];
  const causes: FieldCause[] = [];
  for (const f of finalizers) {
    if (typeof f !== 'string') {
      causes.push(invalid(path, f, 'must be a string'));
      continue;
    }
    causes.push(...invalidEach(path, f, isQualifiedName(f)));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
      causes.push(invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    causes.push(invalid(path, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return causes;
}

function validateOwnerReferences(refs: unknown, path: string): FieldCause[] {
  if (!Array.isArray(refs)) return [];
  const causes: FieldCause[] = [];
  let controller = '';
  for (const ref of refs) {
    if (!isJsonObject(ref)) continue;
    const apiVersion = typeof ref['apiVersion'] === 'string' ? ref['apiVersion'] : '';
    const version = apiVersion.split('/').at(-1) ?? '';
    if (version === '') causes.push(invalid(`${path}.apiVersion`, apiVersion, 'version must not be empty'));
    for (const key of ['kind', 'name', 'uid']) {
      const v = ref[key];
      if (typeof v !== 'string' || v === '') causes.push(invalid(`${path}.${key}`, typeof v === 'string' ? v : '', 'must not be empty'));
    }
    if (apiVersion === 'v1' && ref['kind'] === 'Event') causes.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref['controller'] === true) {
      const current = `${String(ref['kind'])}/${String(ref['name'])}`;
      if (controller !== '') {
        causes.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controller} and ${current}`));
      } else {
        controller = current;
      }
    }
  }
  return causes;
}

export interface MetaRules {
  /** The resource is namespaced (metadata.namespace required) or cluster-scoped (forbidden). */
  namespaced: boolean;
  name: NameFormat;
}

/** Metadata of an object being created (generateName already turned into a name). */
export function validateObjectMeta(meta: ObjectMeta, rules: MetaRules, path = 'metadata'): FieldCause[] {
  const causes: FieldCause[] = [];
  if (meta.generateName !== undefined && meta.generateName !== '') {
    causes.push(...invalidEach(`${path}.generateName`, meta.generateName, validateName(rules.name, meta.generateName, true)));
  }
  if (meta.name === undefined || meta.name === '') causes.push(required(`${path}.name`, 'name or generateName is required'));
  else causes.push(...invalidEach(`${path}.name`, meta.name, validateName(rules.name, meta.name)));
  if (rules.namespaced) {
    if (meta.namespace === undefined || meta.namespace === '') causes.push(required(`${path}.namespace`));
    else causes.push(...invalidEach(`${path}.namespace`, meta.namespace, validateName('label', meta.namespace)));
  } else if (meta.namespace !== undefined && meta.namespace !== '') {
    causes.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  if (meta.generation !== undefined && meta.generation < 0) {
    causes.push(invalid(`${path}.generation`, meta.generation, 'must be greater than or equal to 0'));
  }
  causes.push(...validateLabels(meta.labels, `${path}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  causes.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  causes.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  return causes;
}

/**
 * Metadata of an update. The caller has done upstream's BeforeUpdate first: uid (when the
 * request has none), creationTimestamp, deletionTimestamp and generation copied from the old
 * object, and resourceVersion checked for the conflict.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, rules: MetaRules, path = 'metadata'): FieldCause[] {
  const causes: FieldCause[] = [];
  if (old.deletionTimestamp !== undefined) {
    const added = (meta.finalizers ?? []).filter((f) => !(old.finalizers ?? []).includes(f));
    if (added.length > 0) {
      const list = [...new Set(added)].sort();
      causes.push(
        forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${list.map((f) => JSON.stringify(f)).join(', ')}}`),
      );
    }
  }
  if (meta.generation !== undefined && old.generation !== undefined && meta.generation < old.generation) {
    causes.push(invalid(`${path}.generation`, meta.generation, 'must not be decremented'));
  }
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if ((meta[key] ?? '') !== (old[key] ?? '')) causes.push(invalid(`${path}.${key}`, meta[key] ?? '', 'field is immutable'));
  }
  causes.push(...validateLabels(meta.labels, `${path}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  causes.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  causes.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  if (!rules.namespaced && meta.namespace !== undefined && meta.namespace !== '') {
    causes.push(forbidden(`${path}.namespace`, 'not allowed on this type'));
  }
  return causes;
}
