// The scores of the nodes that passed the filters, each 0..100 as upstream's plugins and weighted
// as upstream's defaults: NodeResourcesFit's LeastAllocated (1), spreading a controller's pods
// (2, as PodTopologySpread's system default), TaintToleration for PreferNoSchedule taints (3).
// Pure; O(feasible nodes).
import { toleratedBy } from './filters.js';
import type { NodeInfo } from './node-info.js';
import type { SchedNode, SchedPod, Toleration } from './types.js';

export const MAX_NODE_SCORE = 100;
export const WEIGHTS = { leastAllocated: 1, spread: 2, taintToleration: 3 } as const;

/** leastRequestedScore: the free share after placing the pod, integer maths as upstream. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** LeastAllocated over cpu and memory (weight 1 each), with non-zero requests. */
export function leastAllocatedScore(pod: SchedPod, node: SchedNode, info: NodeInfo): number {
  const cpu = leastRequestedScore(info.nonZeroRequested.milliCpu + pod.nonZero.milliCpu, node.allocatable.milliCpu);
  const mem = leastRequestedScore(info.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

/** PreferNoSchedule taints the pod does not tolerate. */
export function intolerablePreferNoSchedule(tolerations: readonly Toleration[], node: SchedNode): number {
  const relevant = tolerations.filter((t) => t.effect === '' || t.effect === 'PreferNoSchedule');
  let n = 0;
  for (const taint of node.taints) if (taint.effect === 'PreferNoSchedule' && !toleratedBy(relevant, taint)) n++;
  return n;
}

/** Fewer is better: MAX * (max - count) / max, MAX for all when max is 0 (DefaultNormalizeScore reversed). */
export function reverseNormalize(counts: readonly number[]): number[] {
  let max = 0;
  for (const c of counts) if (c > max) max = c;
  return counts.map((c) => (max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - c)) / max)));
}

/** Weighted totals for the feasible nodes, in their order. */
export function scoreNodes(pod: SchedPod, feasible: readonly NodeInfo[]): number[] {
  const least: number[] = [];
  const same: number[] = [];
  const prefer: number[] = [];
  for (const info of feasible) {
    const node = info.node;
    if (node === undefined) {
      least.push(0);
      same.push(0);
      prefer.push(0);
      continue;
    }
    least.push(leastAllocatedScore(pod, node, info));
    same.push(pod.controllerUid === undefined ? 0 : info.podsOf(pod.controllerUid));
    prefer.push(intolerablePreferNoSchedule(pod.tolerations, node));
  }
  const spread = reverseNormalize(same);
  const taint = reverseNormalize(prefer);
  return least.map((l, i) => l * WEIGHTS.leastAllocated + (spread[i] ?? 0) * WEIGHTS.spread + (taint[i] ?? 0) * WEIGHTS.taintToleration);
}

/** The index of a highest score; ties broken uniformly at random (reservoir sampling, as upstream's selectHost). */
export function selectHost(scores: readonly number[], random: () => number): number {
  let best = -1;
  let bestScore = -Infinity;
  let ties = 0;
  scores.forEach((s, i) => {
    if (s > bestScore) {
      bestScore = s;
      best = i;
      ties = 1;
    } else if (s === bestScore) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  });
  return best;
}
