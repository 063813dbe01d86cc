// The pure half of node lifecycle (upstream pkg/controller/nodelifecycle and its NoExecute taint
// manager, simplified): when a node counts as unreachable, the conditions and taints it gets,
// and when each of its pods is evicted given the pod's tolerations.
import { numberAt, objectsAt, stringAt } from '../../../api/json.js';
import type { JsonObject } from '../../../api/object.js';

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNKNOWN_REASON = 'NodeStatusUnknown';
export const UNKNOWN_MESSAGE = 'Kubelet stopped posting node status.';
/** The conditions upstream sets to Unknown (Ready is added when missing). */
const WATCHED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseTaints(spec: JsonObject | undefined): Taint[] {
  return objectsAt(spec, 'taints').flatMap((t) => {
    const key = stringAt(t, 'key');
    const effect = stringAt(t, 'effect');
    if (key === undefined || effect === undefined) return [];
    const value = stringAt(t, 'value');
    const timeAdded = stringAt(t, 'timeAdded');
    return [{ key, effect, ...(value === undefined ? {} : { value }), ...(timeAdded === undefined ? {} : { timeAdded }) }];
  });
}

export function parseTolerations(spec: JsonObject | undefined): Toleration[] {
  return objectsAt(spec, 'tolerations').map((t) => {
    const out: Toleration = {};
    const key = stringAt(t, 'key');
    const operator = stringAt(t, 'operator');
    const value = stringAt(t, 'value');
    const effect = stringAt(t, 'effect');
    const seconds = numberAt(t, 'tolerationSeconds');
    if (key !== undefined) out.key = key;
    if (operator !== undefined) out.operator = operator;
    if (value !== undefined) out.value = value;
    if (effect !== undefined) out.effect = effect;
    if (seconds !== undefined) out.tolerationSeconds = seconds;
    return out;
  });
}

/** Conditions with the watched ones set Unknown; undefined when they already are. */
export function unknownConditions(conditions: JsonObject[], now: number): JsonObject[] | undefined {
  const t = rfc3339(now);
  let changed = false;
  const out = conditions.map((c) => {
    const type = stringAt(c, 'type');
    if (type === undefined || !WATCHED_CONDITIONS.includes(type) || c['status'] === 'Unknown') return c;
    changed = true;
    return { ...c, status: 'Unknown', reason: UNKNOWN_REASON, message: UNKNOWN_MESSAGE, lastTransitionTime: t };
  });
  if (!conditions.some((c) => c['type'] === 'Ready')) {
    changed = true;
    out.push({ type: 'Ready', status: 'Unknown', reason: UNKNOWN_REASON, message: UNKNOWN_MESSAGE, lastHeartbeatTime: t, lastTransitionTime: t });
  }
  return changed ? out : undefined;
}

/** The taints with unreachable NoSchedule and NoExecute (timeAdded on NoExecute, as upstream); undefined when present. */
export function withUnreachableTaints(taints: Taint[], now: number): Taint[] | undefined {
  const has = (effect: string): boolean => taints.some((t) => t.key === UNREACHABLE_TAINT && t.effect === effect);
  if (has('NoSchedule') && has('NoExecute')) return undefined;
  const out = [...taints];
  if (!has('NoSchedule')) out.push({ key: UNREACHABLE_TAINT, effect: 'NoSchedule' });
  if (!has('NoExecute')) out.push({ key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: rfc3339(now) });
  return out;
}

/** The taints without the unreachable ones; undefined when there are none. */
export function withoutUnreachableTaints(taints: Taint[]): Taint[] | undefined {
  const out = taints.filter((t) => t.key !== UNREACHABLE_TAINT);
  return out.length === taints.length ? undefined : out;
}

/** ToleratesTaint. */
export function tolerates(tol: Toleration, taint: Taint): boolean {
  if (tol.effect !== undefined && tol.effect !== '' && tol.effect !== taint.effect) return false;
  if (tol.key !== undefined && tol.key !== '' && tol.key !== taint.key) return false;
  if (tol.operator === 'Exists') return true;
  return (tol.value ?? '') === (taint.value ?? '');
}

/**
 * When (ms since the epoch) a pod on a node with these taints is to be evicted; undefined for
 * never. An untolerated NoExecute taint evicts at once (from when it was added). The
 * unreachable and not-ready taints count as tolerated for `defaultSeconds` when the pod has no
 * toleration of its own for them, as upstream's DefaultTolerationSeconds admission adds.
 */
export function evictionTime(tolerations: Toleration[], taints: Taint[], defaultSeconds: number, now: number): number | undefined {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return undefined;
  const since = Math.min(...noExecute.map((t) => Date.parse(t.timeAdded ?? '')).map((ms) => (Number.isNaN(ms) ? now : ms)));
  let seconds: number | undefined;
  for (const taint of noExecute) {
    let used = tolerations.filter((t) => tolerates(t, taint));
    if (used.length === 0 && (taint.key === UNREACHABLE_TAINT || taint.key === NOT_READY_TAINT)) {
      used = [{ key: taint.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds }];
    }
    if (used.length === 0) return since;
    for (const t of used) {
      if (t.tolerationSeconds === undefined) continue;
      const s = Math.max(t.tolerationSeconds, 0);
      seconds = seconds === undefined ? s : Math.min(seconds, s);
    }
  }
  return seconds === undefined ? undefined : since + seconds * 1000;
}

/** The pod's conditions with Ready False (MarkPodsNotReady); undefined when it is not ready already. */
export function notReadyConditions(conditions: JsonObject[], now: number): JsonObject[] | undefined {
  const ready = conditions.find((c) => c['type'] === 'Ready');
  if (ready === undefined || ready['status'] === 'False') return undefined;
  return conditions.map((c) => (c === ready ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
}
