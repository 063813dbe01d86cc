// What the agent needs to read from the cluster while it runs a pod (env and volume sources).
// Implemented over the KubeClient (cluster mode) or by a source that finds nothing (standalone
// mode, where referencing a ConfigMap or Secret is an error). Fakeable in unit tests.
import type { ConfigMap, Secret } from '../api/pod-types.js';

export interface PodObjects {
  /** The ConfigMap, or undefined when it does not exist. Other failures throw (Unavailable, ...). */
  configMap(namespace: string, name: string, signal?: AbortSignal): Promise<ConfigMap | undefined>;
  /** The Secret (data still base64), or undefined when it does not exist. */
  secret(namespace: string, name: string, signal?: AbortSignal): Promise<Secret | undefined>;
}
