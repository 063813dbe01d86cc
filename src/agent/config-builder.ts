// The PodSync's view of runtime-config/: hashes, sandbox and container configs, env. It holds
// the node facts those pure functions need (DNS settings, host resolv.conf, capacity).
import { readFile } from 'node:fs/promises';
import type { Container, Pod } from '../api/pod-types.js';
import type { ContainerConfig, KeyValue, Mount, PodSandboxConfig } from '../cri/types.js';
import type { PodObjects } from './objects.js';
import type { ContainerToStart } from './pod-actions.js';
import type { PodConfigBuilder } from './pod-sync.js';
import { buildContainerConfig } from './runtime-config/container-config.js';
import { buildDnsConfig } from './runtime-config/dns.js';
import { resolveEnv } from './runtime-config/env.js';
import { containerHash } from './runtime-config/hash.js';
import { buildSandboxConfig } from './runtime-config/sandbox-config.js';

export interface NodeFacts {
  nodeName: string;
  hostIP(): string | undefined;
  /** Allocatable as quantities (for resourceFieldRef defaults). */
  allocatable(): { cpu: string; memory: string };
  memoryCapacityBytes(): number;
}

export interface ConfigBuilderOptions {
  podLogsDir: string;
  clusterDNS: readonly string[];
  clusterDomain: string;
  /** Host resolv.conf for dnsPolicy Default (upstream --resolv-conf); "" for none. */
  resolvConf: string;
  cgroupParent: string | undefined;
  minOomScoreAdj: number;
  onWarning(pod: Pod, reason: string, message: string): void;
}

const RESOLV_CONF_REUSE_MS = 2000;

export function createConfigBuilder(deps: { objects: PodObjects; node: NodeFacts }, opts: ConfigBuilderOptions): PodConfigBuilder {
  // One read serves every sandbox built within RESOLV_CONF_REUSE_MS: a burst of pod starts reads
  // the file once, and an edit still reaches pods created a few seconds later.
  let hostResolv: { readAt: number; text: Promise<string | undefined> } | undefined;
  const resolvConf = (): Promise<string | undefined> => {
    if (opts.resolvConf === '') return Promise.resolve(undefined);
    const now = performance.now();
    if (hostResolv === undefined || now - hostResolv.readAt > RESOLV_CONF_REUSE_MS) {
      hostResolv = { readAt: now, text: readFile(opts.resolvConf, 'utf8').catch(() => undefined) };
    }
    return hostResolv.text;
  };
  return {
    hash: (c: Container) => containerHash(c),
    async sandboxConfig(pod: Pod, attempt: number): Promise<PodSandboxConfig> {
      const dns = buildDnsConfig(pod, { clusterDNS: [...opts.clusterDNS], clusterDomain: opts.clusterDomain, hostResolvConf: await resolvConf() });
      for (const w of dns.warnings) opts.onWarning(pod, w.reason, w.message);
      return buildSandboxConfig(pod, { attempt, podLogsDir: opts.podLogsDir, dns: dns.dns, ...(opts.cgroupParent === undefined ? {} : { cgroupParent: opts.cgroupParent }) });
    },
    env(pod: Pod, container: Container, ctx: { podIPs: string[] }, signal?: AbortSignal): Promise<KeyValue[]> {
      const hostIP = deps.node.hostIP();
      return resolveEnv(
        pod,
        container,
        {
          objects: deps.objects,
          ...(hostIP === undefined ? {} : { hostIP, hostIPs: [hostIP] }),
          podIPs: ctx.podIPs,
          nodeName: deps.node.nodeName,
          nodeAllocatable: deps.node.allocatable(),
          onWarning: (w) => opts.onWarning(pod, w.reason, w.message),
        },
        signal,
      );
    },
    containerConfig(pod: Pod, start: ContainerToStart, env: KeyValue[], mounts: Mount[], imageRef: string): ContainerConfig {
      return buildContainerConfig(pod, start.spec, {
        type: start.type,
        attempt: start.restartCount,
        restartCount: start.restartCount,
        env,
        mounts,
        imageRef,
        podLogsDir: opts.podLogsDir,
        memoryCapacity: deps.node.memoryCapacityBytes(),
        minOomScoreAdj: opts.minOomScoreAdj,
      });
    },
  };
}
