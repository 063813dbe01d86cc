// The pod row of `kubectl get pods`, as pkg/printers/internalversion printPod computes it:
// READY counts ready containers (plus started sidecars), STATUS is the most telling reason
// (Init:1/2, Init:CrashLoopBackOff, CrashLoopBackOff, Completed, Terminating, ...), RESTARTS
// adds "(5m ago)" after the last restart.
import { numberAt, objectAt, objectsAt, stringAt } from '../../api/json.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { translateTimestampSince } from './duration.js';
import type { ColumnDefinition, Row } from './types.js';
import { AGE_COLUMN, NAME_COLUMN } from './types.js';

export const POD_COLUMNS: ColumnDefinition[] = [
  NAME_COLUMN,
  { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
  { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
  {
    name: 'Restarts',
    type: 'string',
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  },
  AGE_COLUMN,
  { name: 'IP', type: 'string', priority: 1, description: 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.' },
  { name: 'Node', type: 'string', priority: 1, description: 'NodeName indicates in which node this pod is scheduled.' },
  { name: 'Nominated Node', type: 'string', priority: 1, description: 'nominatedNodeName is set only when this pod preempts other pods on the node.' },
  { name: 'Readiness Gates', type: 'string', priority: 1, description: 'If specified, all readiness gates will be evaluated for pod readiness.' },
];

function hasCondition(status: JsonObject | undefined, type: string): boolean {
  return objectsAt(status, 'conditions').some((c) => c['type'] === type && c['status'] === 'True');
}

function isRestartable(container: JsonObject | undefined): boolean {
  return container?.['restartPolicy'] === 'Always';
}

function finishedAt(status: JsonObject): number | undefined {
  const t = stringAt(objectAt(objectAt(status, 'lastState'), 'terminated'), 'finishedAt');
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function terminatedReason(terminated: JsonObject, prefix: string): string {
  const reason = stringAt(terminated, 'reason') ?? '';
  if (reason !== '') return prefix + reason;
  const signal = numberAt(terminated, 'signal') ?? 0;
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${numberAt(terminated, 'exitCode') ?? 0}`;
}

export function podRow(pod: JsonObject, now: number): Row {
  const meta = objectAt(pod, 'metadata');
  const spec = objectAt(pod, 'spec');
  const status = objectAt(pod, 'status');
  const phase = stringAt(status, 'phase') ?? '';
  let reason = (stringAt(status, 'reason') ?? '') !== '' ? (stringAt(status, 'reason') ?? '') : phase;
  if (objectsAt(status, 'conditions').some((c) => c['type'] === 'PodScheduled' && c['reason'] === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }
  const initSpecs = new Map(objectsAt(spec, 'initContainers').map((c) => [stringAt(c, 'name') ?? '', c]));
  const total = objectsAt(spec, 'containers').length + [...initSpecs.values()].filter(isRestartable).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart: number | undefined;
  let lastSidecarRestart: number | undefined;

  let initializing = false;
  const initStatuses = objectsAt(status, 'initContainerStatuses');
  const initCount = objectsAt(spec, 'initContainers').length;
  for (const [i, c] of initStatuses.entries()) {
    const restartCount = numberAt(c, 'restartCount') ?? 0;
    restarts += restartCount;
    lastRestart = later(lastRestart, finishedAt(c));
    const restartable = isRestartable(initSpecs.get(stringAt(c, 'name') ?? ''));
    if (restartable) {
      sidecarRestarts += restartCount;
      lastSidecarRestart = later(lastSidecarRestart, finishedAt(c));
    }
    const state = objectAt(c, 'state');
    const terminated = objectAt(state, 'terminated');
    const waitingReason = stringAt(objectAt(state, 'waiting'), 'reason') ?? '';
    if (terminated !== undefined && (numberAt(terminated, 'exitCode') ?? 0) === 0) continue;
    if (restartable && c['started'] === true) {
      if (c['ready'] === true) ready++;
      continue;
    }
    if (terminated !== undefined) reason = terminatedReason(terminated, 'Init:');
    else if (waitingReason !== '' && waitingReason !== 'PodInitializing') reason = `Init:${waitingReason}`;
    else reason = `Init:${i}/${initCount}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = objectsAt(status, 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i] ?? {};
      restarts += numberAt(c, 'restartCount') ?? 0;
      lastRestart = later(lastRestart, finishedAt(c));
      const state = objectAt(c, 'state');
      const waitingReason = stringAt(objectAt(state, 'waiting'), 'reason') ?? '';
      const terminated = objectAt(state, 'terminated');
      if (waitingReason !== '') reason = waitingReason;
      else if (terminated !== undefined) reason = terminatedReason(terminated, '');
      else if (c['ready'] === true && objectAt(state, 'running') !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
  }

  if (meta?.['deletionTimestamp'] !== undefined && meta['deletionTimestamp'] !== null) {
    if (stringAt(status, 'reason') === 'NodeLost') reason = 'Unknown';
    else if (phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  }

  const restartsText = restarts !== 0 && lastRestart !== undefined
    ? `${restarts} (${translateTimestampSince(new Date(lastRestart).toISOString(), now)} ago)`
    : String(restarts);

  // v1 conversion fills podIPs from podIP when only the latter is set.
  const podIP = stringAt(objectsAt(status, 'podIPs')[0], 'ip') ?? stringAt(status, 'podIP') ?? '';
  const gates = objectsAt(spec, 'readinessGates');
  let gatesText = '<none>';
  if (gates.length > 0) {
    const conditions = objectsAt(status, 'conditions');
    const trueCount = gates.filter((g) => {
      const condition = conditions.find((c) => c['type'] === g['conditionType']);
      return condition?.['status'] === 'True';
    }).length;
    gatesText = `${trueCount}/${gates.length}`;
  }
  const cells: JsonValue[] = [
    stringAt(meta, 'name') ?? '',
    `${ready}/${total}`,
    reason,
    restartsText,
    translateTimestampSince(stringAt(meta, 'creationTimestamp'), now),
    podIP === '' ? '<none>' : podIP,
    (stringAt(spec, 'nodeName') ?? '') || '<none>',
    (stringAt(status, 'nominatedNodeName') ?? '') || '<none>',
    gatesText,
  ];
  const row: Row = { cells };
  if (phase === 'Succeeded') row.conditions = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
  if (phase === 'Failed') row.conditions = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  return row;
}

