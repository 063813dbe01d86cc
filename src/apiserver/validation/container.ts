// Container validation (pkg/apis/core/validation: validateContainerCommon and what it calls):
// names, image, ports, env, volume mounts, pull and termination-message policies.
import { numberAt, objectAt, objectsAt, stringAt } from '../../api/json.js';
import { isDNS1123Label } from '../../api/names.js';
import type { JsonObject } from '../../api/object.js';
import { duplicate, invalid, invalidEach, notFound, notSupported, required } from './field.js';
import type { FieldCause } from './field.js';
import { isConfigMapKey, isEnvVarName, isValidPortName, isValidPortNum } from './formats.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validatePorts(ports: JsonObject[], path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const at = `${path}[${i}]`;
    const name = stringAt(port, 'name') ?? '';
    if (name !== '') {
      const errs = isValidPortName(name);
      if (errs.length > 0) causes.push(...invalidEach(`${at}.name`, name, errs));
      else if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
      else names.add(name);
    }
    const containerPort = numberAt(port, 'containerPort') ?? 0;
    if (containerPort === 0) causes.push(required(`${at}.containerPort`));
    else for (const m of isValidPortNum(containerPort)) causes.push(invalid(`${at}.containerPort`, containerPort, m));
    const hostPort = numberAt(port, 'hostPort') ?? 0;
    if (hostPort !== 0) for (const m of isValidPortNum(hostPort)) causes.push(invalid(`${at}.hostPort`, hostPort, m));
    const protocol = stringAt(port, 'protocol') ?? '';
    if (protocol === '') causes.push(required(`${at}.protocol`));
    else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${at}.protocol`, protocol, PROTOCOLS));
  });
  return causes;
}

const VALUE_SOURCES = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'];

function validateValueFrom(env: JsonObject, path: string): FieldCause[] {
  const from = objectAt(env, 'valueFrom');
  if (from === undefined) return [];
  const causes: FieldCause[] = [];
  const sources = VALUE_SOURCES.filter((s) => from[s] !== undefined && from[s] !== null);
  if (sources.length === 0) {
    causes.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (sources.length > 1) {
    causes.push(invalid(path, '', 'may not have more than one field specified at a time'));
  } else if ((stringAt(env, 'value') ?? '') !== '') {
    causes.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  }
  for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
    const r = objectAt(from, ref);
    if (r === undefined) continue;
    const key = stringAt(r, 'key') ?? '';
    if (key === '') causes.push(required(`${path}.${ref}.key`));
    else causes.push(...invalidEach(`${path}.${ref}.key`, key, isConfigMapKey(key)));
  }
  const fieldRef = objectAt(from, 'fieldRef');
  if (fieldRef !== undefined && (stringAt(fieldRef, 'fieldPath') ?? '') === '') causes.push(required(`${path}.fieldRef.fieldPath`));
  return causes;
}

export function validateEnv(env: JsonObject[], path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  env.forEach((e, i) => {
    const at = `${path}[${i}]`;
    const name = stringAt(e, 'name') ?? '';
    if (name === '') causes.push(required(`${at}.name`));
    causes.push(...invalidEach(`${at}.name`, name, isEnvVarName(name)));
    causes.push(...validateValueFrom(e, `${at}.valueFrom`));
  });
  return causes;
}

function validateMounts(mounts: JsonObject[], volumes: ReadonlySet<string>, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const mountPoints = new Set<string>();
  mounts.forEach((m, i) => {
    const at = `${path}[${i}]`;
    const name = stringAt(m, 'name') ?? '';
    if (name === '') causes.push(required(`${at}.name`));
    if (!volumes.has(name)) causes.push(notFound(`${at}.name`, name));
    const mountPath = stringAt(m, 'mountPath') ?? '';
    if (mountPath === '') causes.push(required(`${at}.mountPath`));
    if (mountPoints.has(mountPath)) causes.push(invalid(`${at}.mountPath`, mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = stringAt(m, 'subPath') ?? '';
    if (subPath.startsWith('/')) causes.push(invalid(`${path}.subPath`, subPath, 'must be a relative path'));
    if (subPath.split('/').includes('..')) causes.push(invalid(`${path}.subPath`, subPath, "must not contain '..'"));
  });
  return causes;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

function validateContainer(c: JsonObject, volumes: ReadonlySet<string>, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = stringAt(c, 'name') ?? '';
  if (name === '') causes.push(required(`${path}.name`));
  else causes.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
  if ((stringAt(c, 'image') ?? '') === '') causes.push(required(`${path}.image`));
  const messagePolicy = stringAt(c, 'terminationMessagePolicy') ?? '';
  if (messagePolicy === '') causes.push(required(`${path}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  else if (!MESSAGE_POLICIES.includes(messagePolicy)) causes.push(notSupported(`${path}.terminationMessagePolicy`, messagePolicy, MESSAGE_POLICIES));
  causes.push(...validatePorts(objectsAt(c, 'ports'), `${path}.ports`));
  causes.push(...validateEnv(objectsAt(c, 'env'), `${path}.env`));
  causes.push(...validateMounts(objectsAt(c, 'volumeMounts'), volumes, `${path}.volumeMounts`));
  const pull = stringAt(c, 'imagePullPolicy') ?? '';
  if (pull === '') causes.push(required(`${path}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(pull)) causes.push(notSupported(`${path}.imagePullPolicy`, pull, PULL_POLICIES));
  return causes;
}

/**
 * Containers of one list (containers, initContainers, ephemeralContainers). `taken` holds names
 * used by lists validated before; a name may appear once across all lists.
 */
export function validateContainerList(containers: JsonObject[], volumes: ReadonlySet<string>, taken: Set<string>, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  containers.forEach((c, i) => {
    const at = `${path}[${i}]`;
    causes.push(...validateContainer(c, volumes, at));
    const name = stringAt(c, 'name') ?? '';
    if (taken.has(name)) causes.push(duplicate(`${at}.name`, name));
    else taken.add(name);
  });
  return causes;
}
