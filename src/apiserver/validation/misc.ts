// Validation of the smaller kinds: ConfigMap, Secret, Namespace, Node, Lease, EndpointSlice,
// Endpoints and Event (pkg/apis/{core,coordination,discovery}/validation).
import { isIP } from 'node:net';
import { arrayAt, jsonEqual, numberAt, objectAt, objectsAt, stringAt } from '../../api/json.js';
import { isQualifiedName, isValidLabelValue } from '../../api/labels.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../api/names.js';
import type { JsonObject } from '../../api/object.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required, tooLong } from './field.js';
import type { FieldCause } from './field.js';
import { isConfigMapKey, isValidCIDR, isValidIP, isValidPortNum } from './formats.js';
import { validateFinalizers } from './meta.js';
import { validateTaintEffect } from './pod.js';

/** ConfigMaps and Secrets hold at most 1 MiB of data (core.MaxSecretSize). */
export const MAX_DATA_SIZE = 1024 * 1024;

function dataKeys(obj: JsonObject, field: string): FieldCause[] {
  return Object.keys(objectAt(obj, field) ?? {}).flatMap((k) => invalidEach(`${field}[${k}]`, k, isConfigMapKey(k)));
}

function base64Size(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

export function validateConfigMap(obj: JsonObject): FieldCause[] {
  const causes = [...dataKeys(obj, 'data'), ...dataKeys(obj, 'binaryData')];
  const data = objectAt(obj, 'data') ?? {};
  const binary = objectAt(obj, 'binaryData') ?? {};
  for (const k of Object.keys(data)) if (k in binary) causes.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  for (const k of Object.keys(binary)) if (k in data) causes.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  let size = 0;
  for (const v of Object.values(data)) size += typeof v === 'string' ? Buffer.byteLength(v) : 0;
  for (const v of Object.values(binary)) size += base64Size(v);
  if (size > MAX_DATA_SIZE) causes.push(tooLong('', MAX_DATA_SIZE));
  return causes;
}

const SECRET_REQUIRED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecret(obj: JsonObject): FieldCause[] {
  const causes = dataKeys(obj, 'data');
  const data = objectAt(obj, 'data') ?? {};
  const size = Object.values(data).reduce<number>((n, v) => n + base64Size(v), 0);
  if (size > MAX_DATA_SIZE) causes.push(tooLong('data', MAX_DATA_SIZE));
  const type = stringAt(obj, 'type') ?? '';
  if (type === 'kubernetes.io/service-account-token') {
    const annotations = objectAt(objectAt(obj, 'metadata'), 'annotations') ?? {};
    if ((annotations['kubernetes.io/service-account.name'] ?? '') === '') {
      causes.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
    }
  } else if (type === 'kubernetes.io/basic-auth') {
    if (data['username'] === undefined && data['password'] === undefined) causes.push(required('data[username]'), required('data[password]'));
  } else if (Object.hasOwn(SECRET_REQUIRED_KEYS, type)) {
    for (const key of SECRET_REQUIRED_KEYS[type] ?? []) if (data[key] === undefined) causes.push(required(`data[${key}]`));
  }
  return causes;
}

/** `immutable: true` ConfigMaps and Secrets keep their data, and stay immutable. */
export function validateImmutableData(obj: JsonObject, old: JsonObject, fields: string[]): FieldCause[] {
  if (old['immutable'] !== true) return [];
  const causes: FieldCause[] = [];
  if (obj['immutable'] !== true) causes.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (!jsonEqual(obj[f], old[f])) causes.push(forbidden(f, 'field is immutable when `immutable` is set'));
  return causes;
}

export function validateSecretUpdate(obj: JsonObject, old: JsonObject): FieldCause[] {
  const causes = validateImmutableData(obj, old, ['data']);
  const type = stringAt(obj, 'type') ?? '';
  if (type !== (stringAt(old, 'type') ?? '')) causes.unshift(invalid('type', type, 'field is immutable'));
  return causes;
}

export function validateNamespace(obj: JsonObject): FieldCause[] {
  return validateFinalizers(arrayAt(objectAt(obj, 'spec'), 'finalizers'), 'spec.finalizers');
}

export function validateNode(obj: JsonObject): FieldCause[] {
  const spec = objectAt(obj, 'spec');
  const causes: FieldCause[] = [];
  (arrayAt(spec, 'podCIDRs') ?? []).forEach((c, i) => {
    const cidr = typeof c === 'string' ? c : '';
    causes.push(...invalidEach(`spec.podCIDRs[${i}]`, cidr, isValidCIDR(cidr)));
  });
  const seen = new Set<string>();
  objectsAt(spec, 'taints').forEach((t, i) => {
    const at = `spec.taints[${i}]`;
    const key = stringAt(t, 'key') ?? '';
    const value = stringAt(t, 'value') ?? '';
    const effect = stringAt(t, 'effect') ?? '';
    causes.push(...invalidEach(`${at}.key`, key, isQualifiedName(key)));
    causes.push(...invalidEach(`${at}.value`, value, isValidLabelValue(value)));
    causes.push(...validateTaintEffect(effect, false, `${at}.effect`));
    const id = `${key}:${effect}`;
    if (seen.has(id)) causes.push(duplicate(at, t));
    seen.add(id);
  });
  return causes;
}

export function validateNodeUpdate(obj: JsonObject, old: JsonObject): FieldCause[] {
  const before = arrayAt(objectAt(old, 'spec'), 'podCIDRs') ?? [];
  const now = arrayAt(objectAt(obj, 'spec'), 'podCIDRs') ?? [];
  if (before.length > 0 && !jsonEqual(before, now)) {
    return [forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid')];
  }
  return [];
}

export function validateLease(obj: JsonObject): FieldCause[] {
  const spec = objectAt(obj, 'spec');
  const causes: FieldCause[] = [];
  const duration = numberAt(spec, 'leaseDurationSeconds');
  if (duration !== undefined && duration <= 0) causes.push(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = numberAt(spec, 'leaseTransitions');
  if (transitions !== undefined && transitions < 0) causes.push(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  return causes;
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateAddress(type: string, address: string, path: string): FieldCause[] {
  if (type === 'IPv4' && isIP(address) !== 4) return [invalid(path, address, 'must be a valid IPv4 address')];
  if (type === 'IPv6' && isIP(address) !== 6) return [invalid(path, address, 'must be a valid IPv6 address')];
  if (type === 'FQDN') return invalidEach(path, address, isDNS1123Subdomain(address));
  return [];
}

export function validateEndpointSlice(obj: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const type = stringAt(obj, 'addressType') ?? '';
  if (!ADDRESS_TYPES.includes(type)) causes.push(notSupported('addressType', type, ADDRESS_TYPES));
  objectsAt(obj, 'endpoints').forEach((e, i) => {
    const at = `endpoints[${i}].addresses`;
    const addresses = arrayAt(e, 'addresses') ?? [];
    if (addresses.length === 0) causes.push(required(at, 'must contain at least 1 address'));
    addresses.forEach((a, j) => causes.push(...validateAddress(type, typeof a === 'string' ? a : '', `${at}[${j}]`)));
  });
  const names = new Set<string>();
  objectsAt(obj, 'ports').forEach((p, i) => {
    const at = `ports[${i}]`;
    const name = stringAt(p, 'name') ?? '';
    if (name !== '') causes.push(...invalidEach(`${at}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) causes.push(duplicate(`${at}.name`, name));
    names.add(name);
    const protocol = stringAt(p, 'protocol');
    if (protocol !== undefined && !PROTOCOLS.includes(protocol)) causes.push(notSupported(`${at}.protocol`, protocol, PROTOCOLS));
    const port = numberAt(p, 'port');
    if (port !== undefined) for (const m of isValidPortNum(port)) causes.push(invalid(`${at}.port`, port, m));
  });
  return causes;
}

export function validateEndpointSliceUpdate(obj: JsonObject, old: JsonObject): FieldCause[] {
  const type = stringAt(obj, 'addressType') ?? '';
  return type === (stringAt(old, 'addressType') ?? '') ? [] : [invalid('addressType', type, 'field is immutable')];
}

export function validateEndpoints(obj: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  objectsAt(obj, 'subsets').forEach((s, i) => {
    const at = `subsets[${i}]`;
    const ready = objectsAt(s, 'addresses');
    const notReady = objectsAt(s, 'notReadyAddresses');
    if (ready.length === 0 && notReady.length === 0) causes.push(required(at, 'must specify `addresses` or `notReadyAddresses`'));
    for (const [key, list] of [['addresses', ready], ['notReadyAddresses', notReady]] as const) {
      list.forEach((a, j) => {
        const ip = stringAt(a, 'ip') ?? '';
        causes.push(...invalidEach(`${at}.${key}[${j}].ip`, ip, isValidIP(ip)));
      });
    }
    const ports = objectsAt(s, 'ports');
    ports.forEach((p, j) => {
      const pat = `${at}.ports[${j}]`;
      const name = stringAt(p, 'name') ?? '';
      if (ports.length > 1 && name === '') causes.push(required(`${pat}.name`));
      const port = numberAt(p, 'port') ?? 0;
      for (const m of isValidPortNum(port)) causes.push(invalid(`${pat}.port`, port, m));
      const protocol = stringAt(p, 'protocol') ?? '';
      if (protocol === '') causes.push(required(`${pat}.protocol`));
      else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${pat}.protocol`, protocol, PROTOCOLS));
    });
  });
  return causes;
}

/** A v1 Event lives in its involved object's namespace (or default, for cluster-scoped objects). */
export function validateEvent(obj: JsonObject): FieldCause[] {
  const namespace = stringAt(objectAt(obj, 'metadata'), 'namespace') ?? '';
  const involved = stringAt(objectAt(obj, 'involvedObject'), 'namespace') ?? '';
  const ok = involved === '' ? namespace === '' || namespace === 'default' : namespace === involved;
  return ok ? [] : [invalid('involvedObject.namespace', involved, 'does not match event.namespace')];
}
