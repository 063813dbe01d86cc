// An EndpointSlice from the wire, with the API's condition defaults as kube-proxy reads them:
// ready unset = true, serving unset = ready, terminating unset = false. Only IPv4 slices give
// endpoints, and only an endpoint's first address is used (as upstream).
import { isIPv4 } from 'node:net';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { asJson, boolAt, numberAt, objectAt, objectsAt, stringAt } from '../../api/json.js';
import type { KubeObject } from '../../api/object.js';
import { parseProtocol } from './parse-service.js';
import type { SliceEndpoint, SlicePort, TrackedSlice } from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

/** Validates a slice; undefined when it belongs to no Service; InvalidArgument when malformed. */
export function parseEndpointSlice(obj: KubeObject): TrackedSlice | undefined {
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const serviceName = obj.metadata.labels?.[SERVICE_NAME_LABEL] ?? '';
  if (serviceName === '') return undefined;
  const where = `endpointslice ${namespace}/${name}`;
  if (namespace === '' || name === '') throw new NodeletError(ErrorCode.InvalidArgument, 'endpointslice without namespace or name');
  const json = asJson(obj);
  const ports: SlicePort[] = [];
  for (const [i, p] of objectsAt(json, 'ports').entries()) {
    const port = numberAt(p, 'port');
    if (port === undefined) continue; // upstream skips ports without a number
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new NodeletError(ErrorCode.InvalidArgument, `${where}: ports[${i}].port must be 1-65535`);
    ports.push({ name: stringAt(p, 'name') ?? '', protocol: parseProtocol(stringAt(p, 'protocol'), `${where}: ports[${i}]`), port });
  }
  const endpoints: SliceEndpoint[] = [];
  if (stringAt(json, 'addressType') === 'IPv4') {
    for (const e of objectsAt(json, 'endpoints')) {
      const addresses = e.addresses;
      const ip = Array.isArray(addresses) ? addresses[0] : undefined;
      if (typeof ip !== 'string' || !isIPv4(ip)) continue;
      const cond = objectAt(e, 'conditions');
      const ready = boolAt(cond, 'ready') ?? true;
      const ep: SliceEndpoint = { ip, ready, serving: boolAt(cond, 'serving') ?? ready, terminating: boolAt(cond, 'terminating') ?? false };
      const nodeName = stringAt(e, 'nodeName');
      if (nodeName !== undefined && nodeName !== '') ep.nodeName = nodeName;
      endpoints.push(ep);
    }
  }
  const slice: TrackedSlice = { namespace, name, serviceName, ports, endpoints };
  const trigger = obj.metadata.annotations?.[TRIGGER_TIME_ANNOTATION];
  if (trigger !== undefined) {
    const t = Date.parse(trigger);
    if (Number.isFinite(t)) slice.triggerTimeMs = t;
  }
  return slice;
}
