// Pod and node objects for the scheduler's unit tests, parsed the way the informers parse them.
import type { JsonObject, KubeObject } from '../../../../../src/api/object.js';
import { NodeInfo } from '../../../../../src/apiserver/controllers/scheduler/node-info.js';
import { parseNode, parsePod } from '../../../../../src/apiserver/controllers/scheduler/parse.js';
import type { SchedPod } from '../../../../../src/apiserver/controllers/scheduler/types.js';

export function podObject(name: string, spec: JsonObject = {}, extra: Partial<KubeObject> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
    status: { phase: 'Pending' },
    ...extra,
  };
}

export function pod(name: string, spec: JsonObject = {}, extra: Partial<KubeObject> = {}): SchedPod {
  return parsePod(podObject(name, spec, extra));
}

/** A pod requesting cpu/memory in one container. */
export function podRequesting(name: string, requests: Record<string, string>, spec: JsonObject = {}): SchedPod {
  return pod(name, { containers: [{ name: 'c', image: 'busybox', resources: { requests } }], ...spec });
}

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: JsonObject[];
  unschedulable?: boolean;
  ready?: string;
}

export function nodeObject(name: string, s: NodeSpec = {}): KubeObject {
  const alloc = { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...(s.labels ?? {}) } },
    spec: { ...(s.taints === undefined ? {} : { taints: s.taints }), ...(s.unschedulable === true ? { unschedulable: true } : {}) },
    status: { allocatable: alloc, capacity: alloc, conditions: [{ type: 'Ready', status: s.ready ?? 'True', reason: 'KubeletReady' }] },
  };
}

export function nodeInfo(name: string, s: NodeSpec = {}, pods: SchedPod[] = []): NodeInfo {
  const info = new NodeInfo(name, parseNode(nodeObject(name, s)));
  for (const p of pods) info.addPod({ ...p, nodeName: name });
  return info;
}
