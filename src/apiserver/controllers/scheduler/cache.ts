// The scheduler's view of the cluster (upstream's internal cache): NodeInfo per node, fed by the
// node and pod informers, plus "assumed" pods — placed on a node as soon as the decision is made,
// before the binding's watch event arrives, so that the next decision already counts them. The
// informer's bound copy confirms an assumed pod; a failed binding forgets it.
import { NodeInfo } from './node-info.js';
import type { SchedNode, SchedPod } from './types.js';

export class SchedulerCache {
  private readonly infos = new Map<string, NodeInfo>();
  /** pod key -> the node it is counted on. */
  private readonly podNode = new Map<string, string>();
  private readonly assumedKeys = new Set<string>();

  /** Every node (including ones only known from bound pods: their `node` is undefined). */
  nodes(): IterableIterator<NodeInfo> {
    return this.infos.values();
  }

  node(name: string): NodeInfo | undefined {
    return this.infos.get(name);
  }

  /** Returns the previous node, if any. */
  upsertNode(node: SchedNode): SchedNode | undefined {
    const info = this.infos.get(node.name);
    if (info === undefined) {
      this.infos.set(node.name, new NodeInfo(node.name, node));
      return undefined;
    }
    const old = info.node;
    info.node = node;
    return old;
  }

  removeNode(name: string): void {
    const info = this.infos.get(name);
    if (info === undefined) return;
    // Pods still bound to it keep counting until they go; a re-registered node finds them.
    if (info.pods.size === 0) this.infos.delete(name);
    else info.node = undefined;
  }

  isAssumed(key: string): boolean {
    return this.assumedKeys.has(key);
  }

  /** Counts `pod` on `nodeName` now, ahead of the binding's watch event. */
  assume(pod: SchedPod, nodeName: string): void {
    this.place(pod, nodeName);
    this.assumedKeys.add(pod.key);
  }

  /** The binding failed: the assumed pod no longer counts (unless the informer confirmed it meanwhile). */
  forget(key: string): void {
    if (!this.assumedKeys.delete(key)) return;
    this.unplace(key);
  }

  /** A pod from the informer: bound and not terminal counts on its node; otherwise not (an assumed pod stays until confirmed or forgotten). */
  upsertPod(pod: SchedPod): void {
    if (pod.nodeName === '') {
      if (!this.assumedKeys.has(pod.key)) this.unplace(pod.key);
      return;
    }
    this.assumedKeys.delete(pod.key);
    if (pod.terminal) this.unplace(pod.key);
    else this.place(pod, pod.nodeName);
  }

  /** Returns whether the pod was counted on a node. */
  removePod(key: string): boolean {
    this.assumedKeys.delete(key);
    return this.unplace(key);
  }

  private place(pod: SchedPod, nodeName: string): void {
    const prev = this.podNode.get(pod.key);
    if (prev !== undefined && prev !== nodeName) this.unplace(pod.key);
    let info = this.infos.get(nodeName);
    if (info === undefined) {
      info = new NodeInfo(nodeName);
      this.infos.set(nodeName, info);
    }
    info.addPod(pod);
    this.podNode.set(pod.key, nodeName);
  }

  private unplace(key: string): boolean {
    const nodeName = this.podNode.get(key);
    if (nodeName === undefined) return false;
    this.podNode.delete(key);
    const info = this.infos.get(nodeName);
    if (info === undefined) return false;
    info.removePod(key);
    if (info.node === undefined && info.pods.size === 0) this.infos.delete(nodeName);
    return true;
  }
}
