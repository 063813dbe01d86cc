// Pod defaults as kube-apiserver fills them: the scheme's (src/api/pod-defaults.ts), plus what the
// admission plugins every cluster runs add to a new pod:
// ServiceAccount (serviceAccountName "default"), Priority (priority 0, PreemptLowerPriority) and
// DefaultTolerationSeconds (300 s for not-ready/unreachable NoExecute taints).
import { arrayAt, ensureObject, objectAt, objectsAt, setDefault, stringAt } from '../../api/json.js';
import { schemeDefaultPod } from '../../api/pod-defaults.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonObject, JsonValue } from '../../api/object.js';

export { defaultContainer, defaultPodSpec, defaultPodTemplate, defaultPullPolicy, defaultVolume, volumeSources } from '../../api/pod-defaults.js';

const DEFAULT_TOLERATIONS: readonly JsonObject[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

/** DefaultTolerationSeconds: adds a toleration unless one already covers that NoExecute taint. */
function addDefaultTolerations(spec: JsonObject): void {
  const existing = objectsAt(spec, 'tolerations');
  const covers = (t: JsonObject, key: string): boolean => {
    const effect = stringAt(t, 'effect') ?? '';
    const tkey = stringAt(t, 'key') ?? '';
    return (effect === '' || effect === 'NoExecute') && (tkey === key || (tkey === '' && stringAt(t, 'operator') === 'Exists'));
  };
  const added = DEFAULT_TOLERATIONS.filter((d) => !existing.some((t) => covers(t, stringAt(d, 'key') ?? '')));
  if (added.length === 0) return;
  const list: JsonValue[] = arrayAt(spec, 'tolerations') ?? [];
  spec['tolerations'] = [...list, ...added.map((t) => ({ ...t }))];
}

function isMirrorPod(pod: JsonObject): boolean {
  const annotations = objectAt(objectAt(pod, 'metadata'), 'annotations');
  return annotations !== undefined && annotations['kubernetes.io/config.mirror'] !== undefined;
}

/** A pod's QoS class, as the status carries it from creation. */
export function qosClass(spec: JsonObject | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...objectsAt(spec, 'initContainers'), ...objectsAt(spec, 'containers')];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const resources = objectAt(c, 'resources');
    const requests = objectAt(resources, 'requests') ?? {};
    const limits = objectAt(resources, 'limits') ?? {};
    for (const r of ['cpu', 'memory']) {
      if (requests[r] !== undefined || limits[r] !== undefined) any = true;
      if (limits[r] === undefined || (requests[r] !== undefined && String(requests[r]) !== String(limits[r]))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Everything a new Pod gets: the scheme defaults and the admission defaults. */
export function defaultPod(pod: JsonObject): void {
  schemeDefaultPod(pod);
  const spec = ensureObject(pod, 'spec');
  if (!isMirrorPod(pod)) {
    setDefault(spec, 'serviceAccountName', stringAt(spec, 'serviceAccount') ?? 'default');
  }
  // v1 mirrors serviceAccountName into the deprecated serviceAccount field.
  if (stringAt(spec, 'serviceAccountName') !== undefined) spec['serviceAccount'] = spec['serviceAccountName'] ?? null;
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  addDefaultTolerations(spec);
  const status = pod['status'];
  if (!isJsonObject(status) || status['phase'] === undefined) {
    const s = ensureObject(pod, 'status');
    s['phase'] = 'Pending';
    setDefault(s, 'qosClass', qosClass(spec));
  }
}
