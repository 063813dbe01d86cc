// Pod QoS class as upstream's v1 qos.ComputePodQOS (pkg/apis/core/v1/helper/qos): only cpu and
// memory count; requests default to limits when unset, as API defaulting does for new pods.
import type { Container, Pod } from '../../api/pod-types.js';
import { addExact, compareExact, type ExactQuantity, parseQuantityExact } from '../../api/quantity.js';

export type QosClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'] as const;

/** The container's request for a resource, defaulted to its limit (SetDefaults_Container). */
export function effectiveRequest(container: Container, resource: string): string | undefined {
  return container.resources?.requests?.[resource] ?? container.resources?.limits?.[resource];
}

function positive(s: string | undefined): ExactQuantity | undefined {
  if (s === undefined) return undefined;
  const q = parseQuantityExact(s);
  return q.num > 0n ? q : undefined;
}

function accumulate(into: Map<string, ExactQuantity>, name: string, q: ExactQuantity): void {
  const prev = into.get(name);
  into.set(name, prev === undefined ? q : addExact(prev, q));
}

export function qosClass(pod: Pod): QosClass {
  const requests = new Map<string, ExactQuantity>();
  const limits = new Map<string, ExactQuantity>();
  let guaranteed = true;
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    let limitsFound = 0;
    for (const name of QOS_RESOURCES) {
      const req = positive(effectiveRequest(c, name));
      if (req !== undefined) accumulate(requests, name, req);
      const lim = positive(c.resources?.limits?.[name]);
      if (lim !== undefined) {
        accumulate(limits, name, lim);
        limitsFound++;
      }
    }
    if (limitsFound < QOS_RESOURCES.length) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareExact(lim, req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}
