// What the endpoints controllers read from Services, Pods and EndpointSlices, validated from the
// wire into small types. Only the fields that decide endpoints are kept, so a change elsewhere in
// a pod (say its container statuses) can be recognised as irrelevant.
import { arrayAt, boolAt, numberAt, objectAt, objectsAt, stringAt, stringMapAt, asJson } from '../../../api/json.js';
import type { JsonObject, KubeObject, OwnerReference } from '../../../api/object.js';
import { ErrorCode, NodeletError } from '../../../base/errors.js';

export type AddressType = 'IPv4' | 'IPv6';

export interface ServicePort {
  name: string;
  protocol: string;
  port: number;
  /** A number, a container port name, or undefined (then the service port). */
  targetPort: number | string | undefined;
  appProtocol?: string;
}

export interface Service {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  /** undefined: no selector (endpoints are managed by someone else). */
  selector: Record<string, string> | undefined;
  type: string;
  clusterIP: string;
  publishNotReadyAddresses: boolean;
  ports: ServicePort[];
  addressTypes: AddressType[];
}

export interface PodPort {
  name: string;
  containerPort: number;
  protocol: string;
}

export interface Pod {
  namespace: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  nodeName: string;
  hostname: string;
  subdomain: string;
  phase: string;
  podIPs: string[];
  ready: boolean;
  terminating: boolean;
  /** Ports of containers and of restartable (sidecar) init containers. */
  ports: PodPort[];
}

function invalid(kind: string, what: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, `${kind}: ${what}`);
}

function meta(obj: KubeObject, kind: string): { namespace: string; name: string; uid: string; labels: Record<string, string> } {
  const { namespace, name, uid } = obj.metadata;
  if (name === undefined || name === '') throw invalid(kind, 'metadata.name is missing');
  return { namespace: namespace ?? '', name, uid: uid ?? '', labels: { ...(obj.metadata.labels ?? {}) } };
}

export function parseService(obj: KubeObject): Service {
  const m = meta(obj, 'Service');
  const spec = objectAt(asJson(obj), 'spec');
  const selector = stringMapAt(spec, 'selector');
  const ports = objectsAt(spec, 'ports').map((p): ServicePort => {
    const tp = p.targetPort;
    const appProtocol = stringAt(p, 'appProtocol');
    return {
      name: stringAt(p, 'name') ?? '',
      protocol: stringAt(p, 'protocol') ?? 'TCP',
      port: numberAt(p, 'port') ?? 0,
      targetPort: typeof tp === 'number' || (typeof tp === 'string' && tp !== '') ? tp : undefined,
      ...(appProtocol === undefined ? {} : { appProtocol }),
    };
  });
  const families = (arrayAt(spec, 'ipFamilies') ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  return {
    ...m,
    // An empty selector is treated as none, as after a protobuf round trip upstream.
    selector: selector !== undefined && Object.keys(selector).length > 0 ? selector : undefined,
    type: stringAt(spec, 'type') ?? 'ClusterIP',
    clusterIP: stringAt(spec, 'clusterIP') ?? '',
    publishNotReadyAddresses: boolAt(spec, 'publishNotReadyAddresses') ?? false,
    ports,
    addressTypes: families.length > 0 ? [...new Set(families)] : ['IPv4'],
  };
}

function containerPorts(containers: JsonObject[]): PodPort[] {
  const out: PodPort[] = [];
  for (const c of containers) {
    for (const p of objectsAt(c, 'ports')) {
      const containerPort = numberAt(p, 'containerPort');
      if (containerPort === undefined) continue;
      out.push({ name: stringAt(p, 'name') ?? '', containerPort, protocol: stringAt(p, 'protocol') ?? 'TCP' });
    }
  }
  return out;
}

export function parsePod(obj: KubeObject): Pod {
  const m = meta(obj, 'Pod');
  const json = asJson(obj);
  const spec = objectAt(json, 'spec');
  const status = objectAt(json, 'status');
  const ips = objectsAt(status, 'podIPs').map((p) => stringAt(p, 'ip') ?? '').filter((ip) => ip !== '');
  const podIP = stringAt(status, 'podIP') ?? '';
  if (ips.length === 0 && podIP !== '') ips.push(podIP);
  const ready = objectsAt(status, 'conditions').some((c) => stringAt(c, 'type') === 'Ready' && stringAt(c, 'status') === 'True');
  const sidecars = objectsAt(spec, 'initContainers').filter((c) => stringAt(c, 'restartPolicy') === 'Always');
  return {
    ...m,
    nodeName: stringAt(spec, 'nodeName') ?? '',
    hostname: stringAt(spec, 'hostname') ?? '',
    subdomain: stringAt(spec, 'subdomain') ?? '',
    phase: stringAt(status, 'phase') ?? '',
    podIPs: ips,
    ready,
    terminating: obj.metadata.deletionTimestamp !== undefined,
    ports: [...containerPorts(objectsAt(spec, 'containers')), ...containerPorts(sidecars)],
  };
}

/** Same endpoint-relevant state (what decides whether a pod change needs a sync). */
export function podsEquivalent(a: Pod, b: Pod): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

export function addressTypeOf(ip: string): AddressType {
  return isIPv6(ip) ? 'IPv6' : 'IPv4';
}

/** The labels of a selector-based Service match (a plain map: every key equal). */
export function selectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

// ---- EndpointSlices as stored ----

export interface EndpointConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

export interface TargetRef {
  kind: 'Pod';
  namespace: string;
  name: string;
  uid: string;
}

export interface Endpoint {
  addresses: string[];
  conditions: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  targetRef?: TargetRef;
}

export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface Slice {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  labels: Record<string, string>;
  ownerReferences: OwnerReference[];
  addressType: string;
  endpoints: Endpoint[];
  ports: EndpointPort[];
}

function parseEndpoint(e: JsonObject): Endpoint {
  const c = objectAt(e, 'conditions');
  const ref = objectAt(e, 'targetRef');
  const hostname = stringAt(e, 'hostname');
  const nodeName = stringAt(e, 'nodeName');
  return {
    addresses: (arrayAt(e, 'addresses') ?? []).filter((a): a is string => typeof a === 'string'),
    // Unset ready means ready, as the API says consumers should read it.
    conditions: { ready: boolAt(c, 'ready') ?? true, serving: boolAt(c, 'serving') ?? boolAt(c, 'ready') ?? true, terminating: boolAt(c, 'terminating') ?? false },
    ...(hostname === undefined ? {} : { hostname }),
    ...(nodeName === undefined ? {} : { nodeName }),
    ...(ref === undefined
      ? {}
      : { targetRef: { kind: 'Pod' as const, namespace: stringAt(ref, 'namespace') ?? '', name: stringAt(ref, 'name') ?? '', uid: stringAt(ref, 'uid') ?? '' } }),
  };
}

export function parseSlice(obj: KubeObject): Slice {
  const m = meta(obj, 'EndpointSlice');
  const json = asJson(obj);
  return {
    ...m,
    resourceVersion: obj.metadata.resourceVersion ?? '',
    ownerReferences: [...(obj.metadata.ownerReferences ?? [])],
    addressType: stringAt(json, 'addressType') ?? '',
    endpoints: objectsAt(json, 'endpoints').map(parseEndpoint),
    ports: objectsAt(json, 'ports').map((p): EndpointPort => {
      const appProtocol = stringAt(p, 'appProtocol');
      return {
        name: stringAt(p, 'name') ?? '',
        port: numberAt(p, 'port') ?? 0,
        protocol: stringAt(p, 'protocol') ?? 'TCP',
        ...(appProtocol === undefined ? {} : { appProtocol }),
      };
    }),
  };
}
