// Deployment and ReplicaSet validation (pkg/apis/apps/validation): selector, its match with the
// template labels, replicas, strategy; the selector is immutable in apps/v1.
import { jsonEqual, numberAt, objectAt, objectsAt, stringAt, stringMapAt } from '../../api/json.js';
import { isQualifiedName, matchesLabels, selectorFromLabelSelectorObject } from '../../api/labels.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { forbidden, formatStringMap, invalid, invalidEach, invalidShown, notSupported, required } from './field.js';
import type { FieldCause } from './field.js';
import { isIntOrPercent } from './formats.js';
import { validateLabels } from './meta.js';
import { validatePodTemplate } from './pod.js';

const NONNEGATIVE = 'must be greater than or equal to 0';

function nonNegative(spec: JsonObject, key: string, path: string): FieldCause[] {
  const v = numberAt(spec, key);
  return v !== undefined && v < 0 ? [invalid(`${path}.${key}`, v, NONNEGATIVE)] : [];
}

/** metav1 ValidateLabelSelector. */
function validateSelector(selector: JsonObject, path: string): FieldCause[] {
  const causes = validateLabels(selector['matchLabels'], `${path}.matchLabels`);
  objectsAt(selector, 'matchExpressions').forEach((e, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const operator = stringAt(e, 'operator') ?? '';
    const values = Array.isArray(e['values']) ? e['values'] : [];
    if (operator === 'In' || operator === 'NotIn') {
      if (values.length === 0) causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (operator === 'Exists' || operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      causes.push(invalid(`${at}.operator`, operator, 'not a valid selector operator'));
    }
    causes.push(...invalidEach(`${at}.key`, stringAt(e, 'key') ?? '', isQualifiedName(stringAt(e, 'key') ?? '')));
  });
  return causes;
}

/** Selector, template and replicas: what Deployments and ReplicaSets share. */
function validateReplicatedSpec(spec: JsonObject, path: string): FieldCause[] {
  const causes = [...nonNegative(spec, 'replicas', path), ...nonNegative(spec, 'minReadySeconds', path)];
  const selector = objectAt(spec, 'selector');
  const template = objectAt(spec, 'template');
  if (selector === undefined) {
    causes.push(required(`${path}.selector`));
  } else {
    causes.push(...validateSelector(selector, `${path}.selector`));
    const empty = Object.keys(objectAt(selector, 'matchLabels') ?? {}).length + objectsAt(selector, 'matchExpressions').length === 0;
    if (empty) causes.push(invalid(`${path}.selector`, selector, 'empty selector is invalid for deployment'));
    let matches = true;
    try {
      const sel = selectorFromLabelSelectorObject(selector);
      const labels = stringMapAt(objectAt(template, 'metadata'), 'labels');
      matches = empty || matchesLabels(sel, labels);
    } catch {
      causes.push(invalid(`${path}.selector`, selector, 'invalid label selector'));
    }
    if (!matches && template !== undefined) {
      const labels = objectAt(objectAt(template, 'metadata'), 'labels');
      const shown = labels === undefined ? 'map[string]string(nil)' : formatStringMap(labels);
      causes.push(invalidShown(`${path}.template.metadata.labels`, shown, '`selector` does not match template `labels`'));
    }
  }
  causes.push(...validatePodTemplate(template, `${path}.template`));
  const podSpec = objectAt(template, 'spec');
  const restartPolicy = stringAt(podSpec, 'restartPolicy') ?? '';
  if (podSpec !== undefined && restartPolicy !== 'Always') {
    causes.push(notSupported(`${path}.template.spec.restartPolicy`, restartPolicy, ['Always']));
  }
  if (podSpec?.['activeDeadlineSeconds'] !== undefined && podSpec['activeDeadlineSeconds'] !== null) {
    causes.push(forbidden(`${path}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return causes;
}

function validateIntOrPercent(value: JsonValue | undefined, path: string): FieldCause[] {
  if (value === undefined || value === null) return [];
  if (!isIntOrPercent(value)) {
    return [invalid(path, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  }
  if (typeof value === 'number' && value < 0) return [invalid(path, value, NONNEGATIVE)];
  if (typeof value === 'string' && Number(value.slice(0, -1)) > 100) return [invalid(path, value, 'must not be greater than 100%')];
  return [];
}

function isZero(value: JsonValue | undefined): boolean {
  return value === 0 || value === '0%';
}

function validateStrategy(spec: JsonObject, path: string): FieldCause[] {
  const strategy = objectAt(spec, 'strategy') ?? {};
  const at = `${path}.strategy`;
  const type = stringAt(strategy, 'type') ?? '';
  const rolling = objectAt(strategy, 'rollingUpdate');
  if (type === 'Recreate') {
    return rolling === undefined ? [] : [forbidden(`${at}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")];
  }
  if (type !== 'RollingUpdate') return [notSupported(at, strategy, ['Recreate', 'RollingUpdate'])];
  if (rolling === undefined) return [required(`${at}.rollingUpdate`, 'this should be defaulted and never be nil')];
  const causes = [
    ...validateIntOrPercent(rolling['maxUnavailable'], `${at}.rollingUpdate.maxUnavailable`),
    ...validateIntOrPercent(rolling['maxSurge'], `${at}.rollingUpdate.maxSurge`),
  ];
  if (isZero(rolling['maxUnavailable']) && isZero(rolling['maxSurge'])) {
    causes.push(invalid(`${at}.rollingUpdate.maxUnavailable`, rolling['maxUnavailable'], 'may not be 0 when `maxSurge` is 0'));
  }
  return causes;
}

export function validateDeploymentSpec(spec: JsonObject | undefined): FieldCause[] {
  if (spec === undefined) return [required('spec')];
  const path = 'spec';
  const causes = [...validateReplicatedSpec(spec, path), ...validateStrategy(spec, path), ...nonNegative(spec, 'revisionHistoryLimit', path)];
  const deadline = numberAt(spec, 'progressDeadlineSeconds');
  if (deadline !== undefined) {
    if (deadline <= 0) causes.push(invalid(`${path}.progressDeadlineSeconds`, deadline, 'must be greater than zero'));
    if (deadline <= (numberAt(spec, 'minReadySeconds') ?? 0)) {
      causes.push(invalid(`${path}.progressDeadlineSeconds`, deadline, 'must be greater than minReadySeconds'));
    }
  }
  return causes;
}

export function validateReplicaSetSpec(spec: JsonObject | undefined): FieldCause[] {
  if (spec === undefined) return [required('spec')];
  return validateReplicatedSpec(spec, 'spec');
}

/** apps/v1 selectors are immutable. */
export function validateSelectorUpdate(spec: JsonObject | undefined, old: JsonObject | undefined): FieldCause[] {
  const selector = objectAt(spec, 'selector');
  if (jsonEqual(selector, objectAt(old, 'selector'))) return [];
  return [invalid('spec.selector', selector ?? null, 'field is immutable')];
}
