// One scheduling decision (upstream's schedulePod): filter every node, score the feasible ones,
// pick the best; when none fits, a histogram of why, worded as upstream's FitError. Pure.
import { runFilters } from './filters.js';
import type { NodeInfo } from './node-info.js';
import { scoreNodes, selectHost } from './scores.js';
import type { SchedPod } from './types.js';

export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export type Decision =
  | { kind: 'fit'; node: string; feasible: number }
  | { kind: 'unschedulable'; message: string; reasons: Map<string, number> };

/**
 * upstream FitError.Error(): "0/<n> nodes are available: <count> <reason>, ...." with the
 * "<count> <reason>" strings sorted as strings (Go's sort.Strings).
 */
export function fitErrorMessage(numNodes: number, reasons: ReadonlyMap<string, number>): string {
  if (numNodes === 0) return NO_NODES_MESSAGE;
  const parts = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let msg = `0/${numNodes} nodes are available:`;
  if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  return msg;
}

export function decide(pod: SchedPod, nodes: Iterable<NodeInfo>, random: () => number): Decision {
  const feasible: NodeInfo[] = [];
  const reasons = new Map<string, number>();
  let numNodes = 0;
  for (const info of nodes) {
    if (info.node === undefined) continue; // pods bound to a node the cache has not seen yet
    numNodes++;
    const failed = runFilters(pod, info);
    if (failed.length === 0) feasible.push(info);
    else for (const r of failed) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  if (feasible.length === 0) return { kind: 'unschedulable', message: fitErrorMessage(numNodes, reasons), reasons };
  if (feasible.length === 1) return { kind: 'fit', node: feasible[0]?.name ?? '', feasible: 1 };
  const idx = selectHost(scoreNodes(pod, feasible), random);
  return { kind: 'fit', node: feasible[idx]?.name ?? '', feasible: feasible.length };
}
