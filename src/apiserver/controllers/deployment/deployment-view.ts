// A Deployment as its controller reads it, validated from the wire object.
import { asJson, boolAt, numberAt, objectAt, objectsAt, stringAt, stringMapAt } from '../../../api/json.js';
import { selectorFromLabelSelectorObject, type LabelSelector } from '../../../api/labels.js';
import type { JsonObject, JsonValue, KubeObject } from '../../../api/object.js';
import type { IntOrPercent } from './strategy.js';

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
}

export interface DeploymentStatus {
  observedGeneration: number;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  unavailableReplicas: number;
  collisionCount?: number;
  conditions: DeploymentCondition[];
}

export interface DeploymentView {
  readonly obj: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly annotations: Record<string, string>;
  readonly deleting: boolean;
  readonly replicas: number;
  readonly paused: boolean;
  readonly strategy: 'RollingUpdate' | 'Recreate';
  readonly maxSurge: IntOrPercent | undefined;
  readonly maxUnavailable: IntOrPercent | undefined;
  readonly minReadySeconds: number;
  readonly revisionHistoryLimit: number | undefined;
  readonly progressDeadlineSeconds: number | undefined;
  readonly selector: LabelSelector;
  readonly selectorObject: JsonValue;
  readonly template: JsonObject;
  readonly status: DeploymentStatus;
}

function intOrPercent(v: JsonValue | undefined): IntOrPercent | undefined {
  return typeof v === 'number' || typeof v === 'string' ? v : undefined;
}

function parseCondition(c: JsonObject): DeploymentCondition | undefined {
  const type = stringAt(c, 'type');
  const status = stringAt(c, 'status');
  if (type === undefined || (status !== 'True' && status !== 'False' && status !== 'Unknown')) return undefined;
  return {
    type,
    status,
    reason: stringAt(c, 'reason') ?? '',
    message: stringAt(c, 'message') ?? '',
    lastUpdateTime: stringAt(c, 'lastUpdateTime') ?? '',
    lastTransitionTime: stringAt(c, 'lastTransitionTime') ?? '',
  };
}

export function deploymentView(obj: KubeObject): DeploymentView | undefined {
  const m = obj.metadata;
  if (typeof m.name !== 'string' || typeof m.namespace !== 'string' || typeof m.uid !== 'string') return undefined;
  const json = asJson(obj);
  const spec = objectAt(json, 'spec');
  const status = objectAt(json, 'status');
  const strategy = objectAt(spec, 'strategy');
  const rolling = objectAt(strategy, 'rollingUpdate');
  const selectorObject = spec?.['selector'] ?? null;
  let selector: LabelSelector;
  try {
    selector = selectorFromLabelSelectorObject(selectorObject);
  } catch {
    return undefined;
  }
  const collisionCount = numberAt(status, 'collisionCount');
  return {
    obj,
    namespace: m.namespace,
    name: m.name,
    uid: m.uid,
    generation: typeof m.generation === 'number' ? m.generation : 0,
    annotations: stringMapAt(objectAt(json, 'metadata'), 'annotations') ?? {},
    deleting: typeof m.deletionTimestamp === 'string',
    replicas: numberAt(spec, 'replicas') ?? 1,
    paused: boolAt(spec, 'paused') ?? false,
    strategy: stringAt(strategy, 'type') === 'Recreate' ? 'Recreate' : 'RollingUpdate',
    maxSurge: intOrPercent(rolling?.['maxSurge']) ?? '25%',
    maxUnavailable: intOrPercent(rolling?.['maxUnavailable']) ?? '25%',
    minReadySeconds: numberAt(spec, 'minReadySeconds') ?? 0,
    revisionHistoryLimit: numberAt(spec, 'revisionHistoryLimit'),
    progressDeadlineSeconds: numberAt(spec, 'progressDeadlineSeconds'),
    selector,
    selectorObject,
    template: objectAt(spec, 'template') ?? {},
    status: {
      observedGeneration: numberAt(status, 'observedGeneration') ?? 0,
      replicas: numberAt(status, 'replicas') ?? 0,
      updatedReplicas: numberAt(status, 'updatedReplicas') ?? 0,
      readyReplicas: numberAt(status, 'readyReplicas') ?? 0,
      availableReplicas: numberAt(status, 'availableReplicas') ?? 0,
      unavailableReplicas: numberAt(status, 'unavailableReplicas') ?? 0,
      ...(collisionCount === undefined ? {} : { collisionCount }),
      conditions: objectsAt(status, 'conditions').map(parseCondition).filter((c) => c !== undefined),
    },
  };
}

export function deploymentPath(namespace: string, name: string): string {
  return `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`;
}
