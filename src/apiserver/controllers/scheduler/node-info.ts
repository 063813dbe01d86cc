// Per-node aggregates kept up to date as pods are added and removed (upstream's framework.NodeInfo):
// requested resources, the non-zero requests scoring uses, host ports in use and pods per
// controller, so that checking a pod against a node costs O(1) rather than O(pods on the node).
import type { HostPort, Resources, SchedNode, SchedPod } from './types.js';

export class NodeInfo {
  node: SchedNode | undefined;
  readonly pods = new Map<string, SchedPod>();
  readonly requested: Resources = { milliCpu: 0, memory: 0, scalar: {} };
  readonly nonZeroRequested = { milliCpu: 0, memory: 0 };
  /** "<protocol>/<port>" -> host IP -> how many pods use it. */
  private readonly ports = new Map<string, Map<string, number>>();
  /** controller uid -> pods on this node. */
  private readonly owners = new Map<string, number>();

  constructor(readonly name: string, node?: SchedNode) {
    this.node = node;
  }

  addPod(pod: SchedPod): void {
    if (this.pods.has(pod.key)) this.removePod(pod.key);
    this.pods.set(pod.key, pod);
    this.apply(pod, 1);
  }

  removePod(key: string): boolean {
    const pod = this.pods.get(key);
    if (pod === undefined) return false;
    this.pods.delete(key);
    this.apply(pod, -1);
    return true;
  }

  podsOf(controllerUid: string): number {
    return this.owners.get(controllerUid) ?? 0;
  }

  /** Whether a wanted host port clashes with one in use: same protocol and port, and either IP is 0.0.0.0 or both are equal. */
  portConflict(want: HostPort): boolean {
    const ips = this.ports.get(`${want.protocol}/${want.port}`);
    if (ips === undefined || ips.size === 0) return false;
    if (want.ip === '0.0.0.0') return true;
    return ips.has('0.0.0.0') || ips.has(want.ip);
  }

  private apply(pod: SchedPod, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCpu += sign * pod.requests.milliCpu;
    r.memory += sign * pod.requests.memory;
    for (const [k, v] of Object.entries(pod.requests.scalar)) r.scalar[k] = (r.scalar[k] ?? 0) + sign * v;
    this.nonZeroRequested.milliCpu += sign * pod.nonZero.milliCpu;
    this.nonZeroRequested.memory += sign * pod.nonZero.memory;
    for (const p of pod.hostPorts) {
      const id = `${p.protocol}/${p.port}`;
      const ips = this.ports.get(id) ?? new Map<string, number>();
      const n = (ips.get(p.ip) ?? 0) + sign;
      if (n > 0) ips.set(p.ip, n);
      else ips.delete(p.ip);
      if (ips.size > 0) this.ports.set(id, ips);
      else this.ports.delete(id);
    }
    if (pod.controllerUid !== undefined) {
      const n = (this.owners.get(pod.controllerUid) ?? 0) + sign;
      if (n > 0) this.owners.set(pod.controllerUid, n);
      else this.owners.delete(pod.controllerUid);
    }
  }
}
