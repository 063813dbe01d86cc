// A Service from the wire into the ports the proxy programs, with kube-proxy's rules: headless
// (clusterIP None) and ExternalName services get no rules; only IPv4 addresses are used; ClientIP
// affinity defaults to 10800 s; externalTrafficPolicy Local only counts for externally reachable
// services (NodePort, LoadBalancer, or externalIPs).
import { isIPv4 } from 'node:net';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { arrayAt, numberAt, objectAt, objectsAt, stringAt } from '../../api/json.js';
import { asJson } from '../../api/json.js';
import type { KubeObject } from '../../api/object.js';
import type { L4Protocol, ServicePort } from '../types.js';
import type { TrackedService } from './types.js';

export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

export function parseProtocol(value: string | undefined, where: string): L4Protocol {
  const p = value ?? 'TCP';
  if (p === 'TCP' || p === 'UDP' || p === 'SCTP') return p;
  throw new NodeletError(ErrorCode.InvalidArgument, `${where}: unknown protocol "${p}"`);
}

function strings(o: Parameters<typeof arrayAt>[0], key: string): string[] {
  return (arrayAt(o, key) ?? []).filter((v): v is string => typeof v === 'string');
}

/** Validates a Service; throws InvalidArgument when a field the proxy needs is malformed. */
export function parseService(obj: KubeObject): TrackedService {
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const where = `service ${namespace}/${name}`;
  if (namespace === '' || name === '') throw new NodeletError(ErrorCode.InvalidArgument, 'service without namespace or name');
  const json = asJson(obj);
  const spec = objectAt(json, 'spec');
  const rawType = stringAt(spec, 'type') ?? 'ClusterIP';
  const type = SERVICE_TYPES.find((t) => t === rawType);
  if (type === undefined) throw new NodeletError(ErrorCode.InvalidArgument, `${where}: unknown type "${rawType}"`);
  const none: TrackedService = { namespace, name, ports: [] };
  if (type === 'ExternalName') return none;
  const clusterIPs = strings(spec, 'clusterIPs');
  const single = stringAt(spec, 'clusterIP');
  if (clusterIPs.length === 0 && single !== undefined) clusterIPs.push(single);
  if (clusterIPs[0] === 'None' || clusterIPs.length === 0 || clusterIPs[0] === '') return none;
  const clusterIP = clusterIPs.find((ip) => isIPv4(ip));
  if (clusterIP === undefined) return none; // an IPv6-only service: this proxy programs IPv4 only

  const externalIPs = strings(spec, 'externalIPs').filter((ip) => isIPv4(ip));
  const loadBalancerIPs = objectsAt(objectAt(objectAt(json, 'status'), 'loadBalancer'), 'ingress')
    .filter((ing) => {
      const mode = stringAt(ing, 'ipMode');
      return mode === undefined || mode === 'VIP';
    })
    .map((ing) => stringAt(ing, 'ip') ?? '')
    .filter((ip) => isIPv4(ip));
  const loadBalancerSourceRanges = strings(spec, 'loadBalancerSourceRanges')
    .map((r) => r.trim())
    .filter((r) => isIPv4(r.split('/')[0] ?? ''));
  const affinityTimeoutSeconds =
    stringAt(spec, 'sessionAffinity') === 'ClientIP'
      ? (numberAt(objectAt(objectAt(spec, 'sessionAffinityConfig'), 'clientIP'), 'timeoutSeconds') ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
      : 0;
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0;
  const externalPolicyLocal = externallyAccessible && stringAt(spec, 'externalTrafficPolicy') === 'Local';
  const internalPolicyLocal = stringAt(spec, 'internalTrafficPolicy') === 'Local';

  const ports: ServicePort[] = [];
  for (const [i, p] of objectsAt(spec, 'ports').entries()) {
    const port = numberAt(p, 'port');
    if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new NodeletError(ErrorCode.InvalidArgument, `${where}: spec.ports[${i}].port must be 1-65535`);
    }
    const nodePort = numberAt(p, 'nodePort') ?? 0;
    ports.push({
      key: { namespace, name, port: stringAt(p, 'name') ?? '', protocol: parseProtocol(stringAt(p, 'protocol'), `${where}: spec.ports[${i}]`) },
      clusterIP,
      port,
      nodePort: Number.isInteger(nodePort) && nodePort > 0 && nodePort <= 65535 ? nodePort : 0,
      externalIPs: [...externalIPs],
      loadBalancerIPs: [...loadBalancerIPs],
      loadBalancerSourceRanges: [...loadBalancerSourceRanges],
      affinityTimeoutSeconds,
      externalPolicyLocal,
      internalPolicyLocal,
      type,
    });
  }
  return { namespace, name, ports };
}
