// The agent's event sink for things that happen to a pod, in upstream kubelet's reasons and
// wording. main.ts adapts it to the EventRecorder (apiserver Events) or to the log (standalone).
import type { Pod } from '../api/pod-types.js';

export type EventType = 'Normal' | 'Warning';

export interface PodEventSink {
  /** Non-blocking; `fieldPath` names the container (`spec.containers{web}`) when the event is about one. */
  event(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string): void;
}

export function containerFieldPath(pod: Pod, name: string): string {
  const init = (pod.spec.initContainers ?? []).some((c) => c.name === name);
  return `spec.${init ? 'initContainers' : 'containers'}{${name}}`;
}
