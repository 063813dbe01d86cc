// The defaults kube-apiserver would give a pod, applied by the agent to static pod manifests, which
// never pass through an apiserver, so that what runs is what `kubectl get pod -o yaml` of the mirror
// pod shows. Only the scheme's defaults: the admission ones (serviceAccountName, priority,
// tolerations) do not apply to static pods upstream either.
import { schemeDefaultPod } from '../../api/pod-defaults.js';
import type { JsonObject } from '../../api/object.js';

export { defaultPullPolicy } from '../../api/pod-defaults.js';

/** SetDefaults_Pod + SetDefaults_PodSpec and what the spec contains, in place on raw JSON. */
export function applyApiDefaults(pod: JsonObject): void {
  schemeDefaultPod(pod);
}
