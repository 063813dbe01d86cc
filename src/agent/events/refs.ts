// Object references for events: the pod, or one of its containers (fieldPath
// `spec.containers{name}` as upstream's container references).
import type { Pod } from '../../api/pod-types.js';

export interface InvolvedObject {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  apiVersion: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export function podRef(pod: Pick<Pod, 'metadata'>): InvolvedObject {
  const ref: InvolvedObject = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, apiVersion: 'v1' };
  if (pod.metadata.resourceVersion !== undefined) ref.resourceVersion = pod.metadata.resourceVersion;
  return ref;
}

export function containerRef(pod: Pick<Pod, 'metadata' | 'spec'>, containerName: string): InvolvedObject {
  const isInit = (pod.spec.initContainers ?? []).some((c) => c.name === containerName);
  return { ...podRef(pod), fieldPath: `${isInit ? 'spec.initContainers' : 'spec.containers'}{${containerName}}` };
}

/** The node as events see it (cluster-scoped: its events go to the default namespace; uid is the node name, as upstream). */
export function nodeRef(nodeName: string): InvolvedObject {
  return { kind: 'Node', namespace: '', name: nodeName, uid: nodeName, apiVersion: '' };
}
