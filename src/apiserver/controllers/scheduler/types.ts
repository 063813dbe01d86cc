// What the scheduler knows of pods and nodes: only the fields its filters and scores read, with
// quantities already converted to integers (milli-CPU, bytes) so a decision does no parsing.

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value: string;
  effect: TaintEffect;
}

export interface Toleration {
  key: string;
  operator: 'Exists' | 'Equal';
  value: string;
  /** '' tolerates every effect. */
  effect: string;
}

export type NodeSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface NodeSelectorRequirement {
  key: string;
  operator: NodeSelectorOperator;
  values: string[];
}

/** Requirements ANDed; an empty term matches no node (as upstream). */
export interface NodeSelectorTerm {
  matchExpressions: NodeSelectorRequirement[];
  matchFields: NodeSelectorRequirement[];
}

/** Requests in integer units: cpu in milli-cores, memory and ephemeral-storage in bytes, others in units. */
export interface Resources {
  milliCpu: number;
  memory: number;
  /** ephemeral-storage and extended resources (e.g. example.com/gpu). */
  scalar: Record<string, number>;
}

export interface HostPort {
  /** '0.0.0.0' when unset. */
  ip: string;
  protocol: string;
  port: number;
}

export interface SchedPod {
  /** namespace/name */
  key: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  nodeName: string;
  schedulerName: string;
  /** Succeeded or Failed: no longer holds resources. */
  terminal: boolean;
  deleting: boolean;
  requests: Resources;
  /** Requests with upstream's non-zero defaults (100m, 200 MB) per container, for scoring. */
  nonZero: { milliCpu: number; memory: number };
  hostPorts: HostPort[];
  nodeSelector: Record<string, string>;
  /** requiredDuringSchedulingIgnoredDuringExecution, terms ORed; undefined: none. */
  requiredTerms: NodeSelectorTerm[] | undefined;
  tolerations: Toleration[];
  /** The uid of the controlling owner (a ReplicaSet's pods are spread across nodes). */
  controllerUid: string | undefined;
  /** The current PodScheduled=False message, when the pod already carries one. */
  unschedulableMessage: string | undefined;
  /** What a change of requires a new attempt (spec as JSON). */
  specFingerprint: string;
}

export interface SchedNode {
  name: string;
  uid: string;
  labels: Record<string, string>;
  unschedulable: boolean;
  ready: boolean;
  taints: Taint[];
  allocatable: Resources & { pods: number };
}
