// Pod spec validation (pkg/apis/core/validation ValidatePodSpec): volumes, the container lists,
// policies, scheduling fields and tolerations. Used for pods and for pod templates.
import { numberAt, objectAt, objectsAt, stringAt } from '../../api/json.js';
import { isQualifiedName, isValidLabelValue } from '../../api/labels.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../api/names.js';
import type { JsonObject } from '../../api/object.js';
import { volumeSources } from '../defaults/pod.js';
import { validateContainerList } from './container.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required } from './field.js';
import type { FieldCause } from './field.js';
import { inclusiveRangeError } from './formats.js';
import { validateLabels } from './meta.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

function validateMode(source: JsonObject | undefined, path: string): FieldCause[] {
  const mode = numberAt(source, 'defaultMode');
  return mode !== undefined && (mode < 0 || mode > 0o777 || !Number.isInteger(mode)) ? [invalid(`${path}.defaultMode`, mode, FILE_MODE_ERROR)] : [];
}

function requireString(source: JsonObject | undefined, key: string, path: string): FieldCause[] {
  return (stringAt(source, key) ?? '') === '' ? [required(`${path}.${key}`)] : [];
}

function validateVolumeSource(v: JsonObject, path: string): FieldCause[] {
  const sources = volumeSources(v);
  if (sources.length === 0) return [required(path, 'must specify a volume type')];
  const causes = sources.slice(1).map((s) => forbidden(`${path}.${s}`, 'may not specify more than 1 volume type'));
  const first = sources[0] ?? '';
  const src = objectAt(v, first);
  const at = `${path}.${first}`;
  switch (first) {
    case 'hostPath': {
      causes.push(...requireString(src, 'path', at));
      const type = stringAt(src, 'type') ?? '';
      if (!HOST_PATH_TYPES.includes(type)) causes.push(notSupported(`${at}.type`, type, HOST_PATH_TYPES));
      break;
    }
    case 'secret':
      causes.push(...requireString(src, 'secretName', at), ...validateMode(src, at));
      break;
    case 'configMap':
      causes.push(...requireString(src, 'name', at), ...validateMode(src, at));
      break;
    case 'persistentVolumeClaim':
      causes.push(...requireString(src, 'claimName', at));
      break;
    case 'downwardAPI':
    case 'projected':
      causes.push(...validateMode(src, at));
      break;
  }
  return causes;
}

/** Validates volumes; returns the names of the valid ones, which mounts may refer to. */
function validateVolumes(volumes: JsonObject[], path: string, causes: FieldCause[]): Set<string> {
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const at = `${path}[${i}]`;
    const errs = validateVolumeSource(v, at);
    const name = stringAt(v, 'name') ?? '';
    if (name === '') errs.push(required(`${at}.name`));
    else errs.push(...invalidEach(`${at}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(duplicate(`${at}.name`, name));
    if (errs.length === 0) names.add(name);
    causes.push(...errs);
  });
  return names;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: string, allowEmpty: boolean, path: string): FieldCause[] {
  if (effect === '') return allowEmpty ? [] : [required(path)];
  return TAINT_EFFECTS.includes(effect) ? [] : [notSupported(path, effect, TAINT_EFFECTS)];
}

function validateTolerations(tolerations: JsonObject[], path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  tolerations.forEach((t, i) => {
    const at = `${path}[${i}]`;
    const key = stringAt(t, 'key') ?? '';
    const operator = stringAt(t, 'operator') ?? '';
    const value = stringAt(t, 'value') ?? '';
    const effect = stringAt(t, 'effect') ?? '';
    if (key !== '') causes.push(...invalidEach(`${at}.key`, key, isQualifiedName(key)));
    if (key === '' && operator !== 'Exists') {
      causes.push(invalid(`${at}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute') {
      causes.push(invalid(`${at}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const errs = isValidLabelValue(value);
      if (errs.length > 0) causes.push(invalid(`${at}.operator`, value, errs.join(';')));
    } else if (operator === 'Exists') {
      if (value !== '') causes.push(invalid(`${at}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      causes.push(notSupported(`${at}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect !== '') causes.push(...validateTaintEffect(effect, true, `${at}.effect`));
  });
  return causes;
}

function oneOf(spec: JsonObject, key: string, allowed: string[], path: string): FieldCause[] {
  const v = stringAt(spec, key) ?? '';
  if (v === '') return [required(`${path}.${key}`)];
  return allowed.includes(v) ? [] : [notSupported(`${path}.${key}`, v, allowed)];
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

export function validatePodSpec(spec: JsonObject, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const volumes = validateVolumes(objectsAt(spec, 'volumes'), `${path}.volumes`, causes);
  const containers = objectsAt(spec, 'containers');
  const taken = new Set<string>();
  if (containers.length === 0) causes.push(required(`${path}.containers`));
  else causes.push(...validateContainerList(containers, volumes, taken, `${path}.containers`));
  causes.push(...validateContainerList(objectsAt(spec, 'initContainers'), volumes, taken, `${path}.initContainers`));
  causes.push(...validateContainerList(objectsAt(spec, 'ephemeralContainers'), volumes, taken, `${path}.ephemeralContainers`));
  causes.push(...oneOf(spec, 'restartPolicy', RESTART_POLICIES, path));
  causes.push(...oneOf(spec, 'dnsPolicy', DNS_POLICIES, path));
  causes.push(...validateLabels(spec['nodeSelector'], `${path}.nodeSelector`));
  for (const key of ['serviceAccountName', 'nodeName']) {
    const v = stringAt(spec, key) ?? '';
    if (v !== '') causes.push(...invalidEach(`${path}.${key}`, v, isDNS1123Subdomain(v)));
  }
  for (const key of ['hostname', 'subdomain']) {
    const v = stringAt(spec, key) ?? '';
    if (v !== '') causes.push(...invalidEach(`${path}.${key}`, v, isDNS1123Label(v)));
  }
  const deadline = numberAt(spec, 'activeDeadlineSeconds');
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    causes.push(invalid(`${path}.activeDeadlineSeconds`, deadline, inclusiveRangeError(1, MAX_INT32)));
  }
  causes.push(...validateTolerations(objectsAt(spec, 'tolerations'), `${path}.tolerations`));
  if (spec['hostNetwork'] === true) {
    for (const key of ['containers', 'initContainers']) {
      objectsAt(spec, key).forEach((c, i) => {
        objectsAt(c, 'ports').forEach((p, j) => {
          const hostPort = numberAt(p, 'hostPort') ?? 0;
          if (hostPort !== 0 && hostPort !== numberAt(p, 'containerPort')) {
            causes.push(invalid(`${path}.${key}[${i}].ports[${j}].hostPort`, hostPort, 'must match `containerPort` when `hostNetwork` is true'));
          }
        });
      });
    }
  }
  return causes;
}

/** A new Pod's spec: ephemeral containers may only be added through their subresource. */
export function validatePodCreateSpec(spec: JsonObject | undefined): FieldCause[] {
  if (spec === undefined) return [required('spec')];
  const causes = validatePodSpec(spec, 'spec');
  if (objectsAt(spec, 'ephemeralContainers').length > 0) causes.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  return causes;
}

/** A pod template (deployments, replicasets): labels and spec. */
export function validatePodTemplate(template: JsonObject | undefined, path: string): FieldCause[] {
  if (template === undefined) return [required(path)];
  const metadata = objectAt(template, 'metadata');
  const causes = validateLabels(metadata?.['labels'], `${path}.metadata.labels`);
  const spec = objectAt(template, 'spec');
  if (spec === undefined) return [...causes, required(`${path}.spec`)];
  causes.push(...validatePodSpec(spec, `${path}.spec`));
  if (objectsAt(spec, 'ephemeralContainers').length > 0) causes.push(forbidden(`${path}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  return causes;
}
