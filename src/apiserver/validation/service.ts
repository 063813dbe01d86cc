// Service validation (pkg/apis/core/validation ValidateService / ValidateServiceUpdate).
import { arrayAt, numberAt, objectsAt, stringAt } from '../../api/json.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../api/names.js';
import type { JsonObject } from '../../api/object.js';
import { duplicate, forbidden, invalid, invalidEach, notSupported, required } from './field.js';
import type { FieldCause } from './field.js';
import { isValidIP, isValidPortName, isValidPortNum } from './formats.js';
import { validateLabels } from './meta.js';

const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const FAMILY_POLICIES = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];
const FAMILIES = ['IPv4', 'IPv6'];

function validatePort(port: JsonObject, requireName: boolean, names: Set<string>, path: string): FieldCause[] {
  const causes: FieldCause[] = [];
  const name = stringAt(port, 'name') ?? '';
  if (requireName && name === '') causes.push(required(`${path}.name`));
  else if (name !== '') {
    causes.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) causes.push(duplicate(`${path}.name`, name));
    else names.add(name);
  }
  const number = numberAt(port, 'port') ?? 0;
  for (const m of isValidPortNum(number)) causes.push(invalid(`${path}.port`, number, m));
  const protocol = stringAt(port, 'protocol') ?? '';
  if (protocol === '') causes.push(required(`${path}.protocol`));
  else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${path}.protocol`, protocol, PROTOCOLS));
  const target = port['targetPort'];
  if (typeof target === 'number') for (const m of isValidPortNum(target)) causes.push(invalid(`${path}.targetPort`, target, m));
  else if (typeof target === 'string') causes.push(...invalidEach(`${path}.targetPort`, target, isValidPortName(target)));
  return causes;
}

function clusterIPs(spec: JsonObject | undefined): string[] {
  const list = (arrayAt(spec, 'clusterIPs') ?? []).filter((v): v is string => typeof v === 'string');
  const single = stringAt(spec, 'clusterIP') ?? '';
  return list.length > 0 ? list : single !== '' ? [single] : [];
}

function enumField(spec: JsonObject, key: string, allowed: string[], path: string): FieldCause[] {
  const v = stringAt(spec, key);
  return v === undefined || allowed.includes(v) ? [] : [notSupported(`${path}.${key}`, v, allowed)];
}

export function validateServiceSpec(spec: JsonObject | undefined): FieldCause[] {
  if (spec === undefined) return [required('spec')];
  const causes: FieldCause[] = [];
  const path = 'spec';
  const type = stringAt(spec, 'type') ?? '';
  if (type === '') causes.push(required(`${path}.type`));
  else if (!TYPES.includes(type)) causes.push(notSupported(`${path}.type`, type, TYPES));
  const ips = clusterIPs(spec);
  const headless = ips[0] === 'None';
  if (type === 'ExternalName') {
    if (ips.length > 0) causes.push(forbidden(`${path}.clusterIPs`, 'may not be set for ExternalName services'));
    const name = (stringAt(spec, 'externalName') ?? '').replace(/\.$/, '');
    if (name === '') causes.push(required(`${path}.externalName`));
    else {
      const errs = isDNS1123Subdomain(name);
      if (errs.length > 0) causes.push(invalid(`${path}.externalName`, name, errs.join(',')));
      else if (name.split('.').length < 2) causes.push(invalid(`${path}.externalName`, name, 'should be a domain with at least two segments separated by dots'));
    }
  } else {
    ips.forEach((ip, i) => {
      if (ip !== 'None' || i > 0) causes.push(...invalidEach(`${path}.clusterIPs[${i}]`, ip, isValidIP(ip)));
    });
  }
  const ports = objectsAt(spec, 'ports');
  if (ports.length === 0 && !headless && type !== 'ExternalName') causes.push(required(`${path}.ports`));
  const names = new Set<string>();
  const seen = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((port, i) => {
    const at = `${path}.ports[${i}]`;
    causes.push(...validatePort(port, ports.length > 1, names, at));
    const protocol = stringAt(port, 'protocol') ?? '';
    const number = numberAt(port, 'port') ?? 0;
    const key = `${number}/${protocol}`;
    if (seen.has(key)) causes.push(duplicate(at, { port: number, protocol }));
    seen.add(key);
    const nodePort = numberAt(port, 'nodePort') ?? 0;
    if (nodePort !== 0) {
      if (type === 'ClusterIP') causes.push(forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else for (const m of isValidPortNum(nodePort)) causes.push(invalid(`${at}.nodePort`, nodePort, m));
      const npKey = `${nodePort}/${protocol}`;
      if (nodePorts.has(npKey)) causes.push(duplicate(`${at}.nodePort`, nodePort));
      nodePorts.add(npKey);
    }
  });
  causes.push(...enumField(spec, 'sessionAffinity', AFFINITIES, path));
  causes.push(...validateLabels(spec['selector'], `${path}.selector`));
  causes.push(...enumField(spec, 'externalTrafficPolicy', TRAFFIC_POLICIES, path));
  causes.push(...enumField(spec, 'internalTrafficPolicy', TRAFFIC_POLICIES, path));
  causes.push(...enumField(spec, 'ipFamilyPolicy', FAMILY_POLICIES, path));
  (arrayAt(spec, 'ipFamilies') ?? []).forEach((f, i) => {
    if (typeof f !== 'string' || !FAMILIES.includes(f)) causes.push(notSupported(`${path}.ipFamilies[${i}]`, f, FAMILIES));
  });
  for (const [i, ip] of (arrayAt(spec, 'externalIPs') ?? []).entries()) {
    const text = typeof ip === 'string' ? ip : '';
    causes.push(...invalidEach(`${path}.externalIPs[${i}]`, text, isValidIP(text)));
  }
  return causes;
}

/** The allocated cluster IP may not change, unless the service moves to or from ExternalName. */
export function validateServiceSpecUpdate(spec: JsonObject | undefined, old: JsonObject | undefined): FieldCause[] {
  if (stringAt(spec, 'type') === 'ExternalName' || stringAt(old, 'type') === 'ExternalName') return [];
  const now = clusterIPs(spec);
  const before = clusterIPs(old);
  if (before[0] !== undefined && now[0] !== undefined && before[0] !== now[0]) {
    return [invalid('spec.clusterIPs[0]', now, 'may not change once set')];
  }
  return [];
}
