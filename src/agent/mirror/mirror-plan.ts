// What to do about mirror pods (upstream pkg/kubelet/pod/mirror_client.go and the static-pod part
// of syncPod / HandlePodCleanups), as a pure diff of this node's static pods and the mirror pods
// the apiserver has for this node. Static and mirror pod are matched by namespace/name; a mirror
// pod is current when its config.mirror annotation equals the static pod's config.hash.
import type { KubeObject } from '../../api/object.js';
import type { Pod } from '../../api/pod-types.js';
import { SourceAnnotation } from '../labels.js';

export type MirrorDeleteReason = 'orphaned' | 'outdated' | 'terminating';

export type MirrorAction =
  | { op: 'create'; staticPod: Pod }
  | { op: 'delete'; namespace: string; name: string; uid: string; reason: MirrorDeleteReason };

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** The config hash of a static pod (its uid when the annotation is missing, as upstream). */
export function staticPodHash(pod: Pod): string {
  return pod.metadata.annotations?.[SourceAnnotation.hash] ?? pod.metadata.uid;
}

/** True when `mirror` is the current mirror of `staticPod`. */
export function isMirrorPodOf(mirror: Pod, staticPod: Pod): boolean {
  return podKey(mirror) === podKey(staticPod) && mirror.metadata.annotations?.[SourceAnnotation.mirror] === staticPodHash(staticPod);
}

/**
 * Deletes come before creates of the same name: an outdated or terminating mirror is deleted and
 * then created again from the static pod; a mirror without a static pod is deleted.
 */
export function planMirrors(staticPods: readonly Pod[], mirrors: readonly Pod[]): MirrorAction[] {
  const byKey = new Map(mirrors.map((m) => [podKey(m), m]));
  const actions: MirrorAction[] = [];
  const wanted = new Set<string>();
  for (const pod of staticPods) {
    const key = podKey(pod);
    wanted.add(key);
    const mirror = byKey.get(key);
    if (mirror !== undefined) {
      let reason: MirrorDeleteReason | undefined;
      if (mirror.metadata.deletionTimestamp !== undefined) reason = 'terminating';
      else if (!isMirrorPodOf(mirror, pod)) reason = 'outdated';
      if (reason === undefined) continue;
      actions.push({ op: 'delete', namespace: mirror.metadata.namespace, name: mirror.metadata.name, uid: mirror.metadata.uid, reason });
    }
    actions.push({ op: 'create', staticPod: pod });
  }
  for (const [key, mirror] of byKey) {
    if (wanted.has(key)) continue;
    actions.push({ op: 'delete', namespace: mirror.metadata.namespace, name: mirror.metadata.name, uid: mirror.metadata.uid, reason: 'orphaned' });
  }
  return actions;
}

export interface NodeRef {
  name: string;
  uid: string;
}

/**
 * The mirror pod to POST for a static pod: its name, namespace, labels and annotations plus
 * config.mirror=<hash>, its spec, and the Node as controlling owner (upstream 1.19+), so that
 * deleting the Node garbage-collects it.
 */
export function mirrorPodFor(staticPod: Pod, node: NodeRef): KubeObject {
  const m = staticPod.metadata;
  const annotations = { ...(m.annotations ?? {}), [SourceAnnotation.mirror]: staticPodHash(staticPod) };
  const metadata: KubeObject['metadata'] = {
    name: m.name,
    namespace: m.namespace,
    annotations,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
  };
  if (m.labels !== undefined) metadata.labels = { ...m.labels };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(staticPod.spec) as unknown as KubeObject[string] };
}
