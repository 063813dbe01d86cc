// `nodelet agent`'s composition root: builds every part from the validated config and wires the
// flows of DESIGN.md: sources -> PodConfig -> pod workers -> PodSync (CRI) -> status manager,
// PLEG -> workers, node registration/status/lease. Nothing else constructs parts.
import { readFile } from 'node:fs/promises';
import { loadKubeconfig } from '../api/client/kubeconfig.js';
import { createKubeClient } from '../api/client/rest-client.js';
import type { KubeClient } from '../api/client/types.js';
import type { Pod } from '../api/pod-types.js';
import { systemClock, type Clock } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import { systemExec } from '../base/exec.js';
import type { Logger } from '../base/log.js';
import { CriClient } from '../cri/client.js';
import { clusterObjects, noClusterObjects } from './cluster-objects.js';
import type { AgentConfig } from './config/agent-config.js';
import { createConfigBuilder } from './config-builder.js';
import { EventRecorder } from './events/recorder.js';
import { containerRef, podRef } from './events/refs.js';
import { ImagePuller } from './image-puller.js';
import { KeyedBackoff } from './keyed-backoff.js';
import { MirrorManager } from './mirror/mirror-manager.js';
import { createHostInfoSource } from './node/host-info.js';
import { NodeLease } from './node/lease.js';
import { NodeRegistrar } from './node/node-registrar.js';
import { NodeStatusManager } from './node/node-status-manager.js';
import { Pleg } from './pleg.js';
import type { PodEventSink } from './pod-events.js';
import { PodSync } from './pod-sync.js';
import { PodWorkers, type PodStatusSink } from './pod-workers.js';
import { RuntimeReader } from './runtime-reader.js';
import { ApiSource } from './sources/api-source.js';
import { FileSource } from './sources/file-source.js';
import { PodConfig, type PodSource } from './sources/pod-config.js';
import { generatePodStatus } from './status/generate.js';
import { StatusManager } from './status/status-manager.js';
import { VolumeManager } from './volumes/volume-manager.js';

export interface RunningAgent {
  /** Stops every loop; containers keep running (a restarted agent adopts them). */
  stop(): Promise<void>;
}

async function minOomScoreAdj(): Promise<number> {
  const text = await readFile('/proc/self/oom_score_adj', 'utf8').catch(() => '');
  const value = Number.parseInt(text.trim(), 10);
  return Number.isFinite(value) ? value : -1000;
}

export async function runAgent(config: AgentConfig, log: Logger, clock: Clock = systemClock): Promise<RunningAgent> {
  const stop = new AbortController();
  const signal = stop.signal;
  const runtime = new CriClient({ endpoint: config.runtimeEndpoint });
  let client: KubeClient | undefined;
  if (config.kubeconfig !== undefined) client = createKubeClient({ credentials: await loadKubeconfig(config.kubeconfig), userAgent: 'nodelet-agent' });
  else log.info('no kubeconfig: running standalone (static pods only)');
  for (const field of config.ignoredConfigFields) log.warn('KubeletConfiguration field is not supported by nodelet and is ignored', { field });

  const hostInfo = createHostInfoSource({ rootDir: config.rootDir, nodeIP: config.nodeIP });
  const host = await hostInfo.read(signal);
  const recorder = new EventRecorder({ client, clock, log, nodeName: config.nodeName });
  const events: PodEventSink = {
    event: (pod, type, reason, message, fieldPath) => {
      const name = fieldPath?.match(/\{(.+)\}$/)?.[1];
      recorder.event(name === undefined ? podRef(pod) : containerRef(pod, name), type, reason, message);
    },
  };
  const objects = client === undefined ? noClusterObjects : clusterObjects(client);
  const allocatable = { cpu: String(host.cpuCount), memory: String(host.memoryBytes) };
  const volumes = new VolumeManager({ rootDir: config.rootDir, objects, exec: systemExec, clock, nodeAllocatable: () => allocatable, log });
  const builder = createConfigBuilder(
    { objects, node: { nodeName: config.nodeName, hostIP: () => host.internalIP, allocatable: () => allocatable, memoryCapacityBytes: () => host.memoryBytes } },
    {
      podLogsDir: config.podLogsDir,
      clusterDNS: config.clusterDNS,
      clusterDomain: config.clusterDomain,
      resolvConf: '/etc/resolv.conf',
      cgroupParent: config.cgroupRoot === '' ? undefined : config.cgroupRoot,
      minOomScoreAdj: await minOomScoreAdj(),
      onWarning: (pod, reason, message) => events.event(pod, 'Warning', reason, message),
    },
  );
  const reader = new RuntimeReader({ runtime });
  const podSync = new PodSync({
    runtime,
    reader,
    images: new ImagePuller({ runtime, clock, events }),
    volumes,
    objects,
    builder,
    events,
    crashBackoff: new KeyedBackoff(clock, 10_000, config.maxContainerRestartPeriodMs),
    clock,
    log,
    podLogsDir: config.podLogsDir,
    hostIP: () => host.internalIP,
    // Before a pull: the sandbox and its IP, containers still waiting (statusSink is built below).
    progress: (pod, state) => statusSink.update(pod, state, { waiting: new Map() }),
  });

  const mirrors = client === undefined ? undefined : new MirrorManager({ client, clock, log }, { nodeName: config.nodeName });
  const statuses = new StatusManager({
    client,
    clock,
    log,
    mirrorPodFor: (pod: Pod) => {
      const m = mirrors?.mirrorOf(pod);
      return m === undefined ? undefined : { name: m.metadata.name, namespace: m.metadata.namespace, uid: m.metadata.uid };
    },
  });
  const statusSink: PodStatusSink = {
    update: (pod, state, facts) => {
      const status = generatePodStatus(
        pod,
        state,
        {
          ...(host.internalIP === undefined ? {} : { hostIP: host.internalIP }),
          waiting: facts.waiting,
          readiness: new Map(),
          started: new Map(),
          ...(facts.podFailure === undefined ? {} : { podFailure: facts.podFailure }),
          ...(facts.terminal === true ? { podIsTerminal: true } : {}),
          oldStatus: statuses.getPodStatus(pod.metadata.uid) ?? pod.status,
        },
        new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
      );
      statuses.setPodStatus(pod, status);
    },
    terminated: (pod) => statuses.podTerminated(pod),
    removed: (uid) => statuses.removePod(uid),
  };
  const workers = new PodWorkers({ sync: podSync, status: statusSink, clock, log });

  const sources: PodSource[] = [];
  if (config.staticPodPath !== '') sources.push('file');
  if (client !== undefined) sources.push('api');
  const podConfig = new PodConfig(
    { clock },
    {
      sources,
      onChanges: (changes) => {
        for (const c of changes) {
          if (c.op === 'set') workers.setPod(c.pod);
          else workers.removePod(c.uid);
        }
      },
    },
  );
  const fileSource =
    config.staticPodPath === ''
      ? undefined
      : new FileSource(
          { clock, log },
          {
            path: config.staticPodPath,
            nodeName: config.nodeName,
            checkFrequencyMs: config.fileCheckFrequencyMs,
            onSnapshot: (pods) => {
              podConfig.update('file', pods);
              mirrors?.setStaticPods(pods);
            },
          },
        );
  const apiSource =
    client === undefined
      ? undefined
      : new ApiSource(
          { client, clock, log },
          {
            nodeName: config.nodeName,
            onSnapshot: (pods) => podConfig.update('api', pods),
            onMirrorPods: (pods) => {
              mirrors?.setMirrorPods(pods);
              statuses.mirrorsChanged();
            },
            onError: (key, err) => log.warn('pod from the apiserver rejected', { pod: key, error: errorMessage(err) }),
          },
        );

  const pleg = new Pleg({
    readAll: (s) => reader.readAll(s),
    clock,
    log,
    onChange: (uids, state) => {
      const orphansKnown = podConfig.allSourcesReady();
      for (const uid of uids) workers.runtimeChanged(uid, orphansKnown);
      // Pods that were in the runtime before the sources synced are orphans only now.
      if (orphansKnown) for (const uid of state.keys()) if (!workers.knows(uid)) workers.runtimeChanged(uid, true);
    },
  });

  const loops: Array<Promise<unknown>> = [];
  statuses.start();
  mirrors?.start();
  fileSource?.start();
  apiSource?.start();
  loops.push(pleg.run(signal));
  loops.push(pleg.followEvents((s) => runtime.containerEvents(s), signal));
  loops.push(
    (async () => {
      while (!signal.aborted) {
        await clock.sleep(config.syncFrequencyMs, signal).catch(() => undefined);
        if (!signal.aborted) workers.resyncAll();
      }
    })(),
  );

  let nodeStatus: NodeStatusManager | undefined;
  let lease: NodeLease | undefined;
  if (client !== undefined && config.registerNode) {
    const nodeDeps = { client, runtime, clock, hostInfo, config, log };
    const kube = client;
    loops.push(
      (async () => {
        const registered = await new NodeRegistrar(nodeDeps).register(signal);
        log.info(registered.adopted ? 'adopted the existing Node' : 'registered the Node', { node: config.nodeName });
        nodeStatus = new NodeStatusManager(nodeDeps, registered.node);
        lease = new NodeLease({ client: kube, clock, config, log });
        await Promise.all([nodeStatus.start(signal), lease.start(signal)]);
      })().catch((err: unknown) => {
        if (!signal.aborted) log.error('node registration stopped', { error: errorMessage(err) });
      }),
    );
  }
  log.info('agent started', { node: config.nodeName, runtime: config.runtimeEndpoint, standalone: client === undefined, staticPodPath: config.staticPodPath });

  return {
    stop: async () => {
      stop.abort();
      workers.dispose();
      await Promise.allSettled([fileSource?.dispose(), apiSource?.dispose(), mirrors?.dispose()]);
      nodeStatus?.dispose();
      lease?.dispose();
      await Promise.allSettled(loops);
      await statuses.dispose();
      await recorder.dispose();
      client?.close();
      runtime.dispose();
    },
  };
}
