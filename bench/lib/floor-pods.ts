// The floor's pods are the bench's pods as the agent would start them: the same pod object (as
// the apiserver stores it: scheme defaults, a uid) turned into CRI configs by the agent's own
// config builder, so the floor pays what the runtime pays for the agent's pods (the sandbox's
// RuntimeDefault seccomp profile, labels, annotations, DNS, resources), without the agent.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { availableParallelism, totalmem } from 'node:os';
import { createConfigBuilder } from '../../src/agent/config-builder.js';
import { isJsonObject } from '../../src/api/object.js';
import { schemeDefaultPod } from '../../src/api/pod-defaults.js';
import { parsePod } from '../../src/api/pod-parse.js';
import type { Pod } from '../../src/api/pod-types.js';
import type { ContainerConfig, PodSandboxConfig } from '../../src/cri/types.js';
import { benchPod } from './pod-rounds.js';

export interface FloorPod {
  sandbox: PodSandboxConfig;
  /** The config of the pod's one container, as the agent builds it (env, labels, resources). */
  container: (imageRef: string) => Promise<ContainerConfig>;
}

export interface FloorPodOptions {
  nodeName: string;
  /** Where the pods' log directories go (the agent's --pod-logs-dir). */
  podLogsDir: string;
}

export type FloorPodFactory = (name: string, round: string) => Promise<FloorPod>;

/** The agent's config builder set up as for the bench's node: no cluster DNS, no cgroup root. */
export async function floorPodFactory(opts: FloorPodOptions): Promise<FloorPodFactory> {
  const oom = Number.parseInt((await readFile('/proc/self/oom_score_adj', 'utf8')).trim(), 10);
  const builder = createConfigBuilder(
    {
      // The bench's pods use no ConfigMaps or Secrets.
      objects: { configMap: () => Promise.resolve(undefined), secret: () => Promise.resolve(undefined) },
      node: { nodeName: opts.nodeName, hostIP: () => '127.0.0.1', allocatable: () => ({ cpu: String(availableParallelism()), memory: String(totalmem()) }), memoryCapacityBytes: () => totalmem() },
    },
    {
      podLogsDir: opts.podLogsDir,
      clusterDNS: [],
      clusterDomain: 'cluster.local',
      resolvConf: '/etc/resolv.conf',
      cgroupParent: undefined,
      minOomScoreAdj: Number.isFinite(oom) ? oom : -1000,
      onWarning: () => undefined,
    },
  );
  return async (name, round) => {
    const pod = storedPod(name, round, opts.nodeName);
    const spec = pod.spec.containers[0];
    if (spec === undefined) throw new Error('the bench pod has no container');
    return {
      sandbox: await builder.sandboxConfig(pod, 0),
      container: async (imageRef) => builder.containerConfig(pod, { name: spec.name, type: 'app', spec, restartCount: 0 }, await builder.env(pod, spec, { podIPs: [] }), [], imageRef),
    };
  };
}

/** The bench pod as the apiserver hands it to the agent: scheme defaults, a uid. */
function storedPod(name: string, round: string, nodeName: string): Pod {
  const obj = structuredClone(benchPod(name, round, nodeName));
  if (!isJsonObject(obj) || !isJsonObject(obj.metadata)) throw new Error('the bench pod is not an object');
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = new Date().toISOString();
  schemeDefaultPod(obj);
  return parsePod(obj);
}
