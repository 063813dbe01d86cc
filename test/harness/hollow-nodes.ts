// Hollow nodes: Node objects that look like registered, Ready kubelets (status with a KubeletReady
// condition, capacity/allocatable, addresses) and a Lease per node in kube-node-lease renewed on a
// timer, without any runtime behind them. What scheduler, node-lifecycle and bench code run
// against. One renewal loop serves all nodes with bounded concurrency; stopRenewing(name) makes
// one node look dead to the node lifecycle controller, resumeRenewing(name) brings it back.
import type { KubeClient } from '../../src/api/client/types.js';
import type { JsonObject, KubeObject, OwnerReference } from '../../src/api/object.js';
import { renewedLease } from '../../src/agent/node/lease.js';
import { leasePath, leasesPath, nodePath } from '../../src/agent/node/node-paths.js';
import { rfc3339 } from '../../src/agent/node/node-status.js';
import { systemClock, type Clock } from '../../src/base/clock.js';
import { ErrorCode, isNodeletError } from '../../src/base/errors.js';
import type { Disposable } from '../../src/base/lifecycle.js';

export interface HollowTaint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface HollowNodesOptions {
  count: number;
  /** Node names are `<prefix>-<index>` (default prefix "hollow-node"). */
  prefix?: string;
  /** Capacity and allocatable (default cpu 4, memory 16Gi, pods 110). */
  allocatable?: { cpu: string; memory: string; pods: string };
  /** Extra labels, for all nodes or per node index. kubernetes.io/hostname, os and arch are always set. */
  labels?: Record<string, string> | ((index: number) => Record<string, string>);
  taints?: HollowTaint[] | ((index: number) => HollowTaint[]);
  /** spec.unschedulable (cordoned). */
  unschedulable?: boolean;
  /** Lease renew period (default 10 s, kubelet's 40 s lease / 4). */
  renewEveryMs?: number;
  leaseDurationSeconds?: number;
  /** Requests in flight while creating and renewing (default 16). */
  concurrency?: number;
  /** Delete the Node objects (and leases) on dispose (default false). */
  deleteOnDispose?: boolean;
  clock?: Clock;
}

export interface HollowNodes extends Disposable {
  readonly names: readonly string[];
  /** Stops renewing one node's Lease (the node looks dead after the grace period). */
  stopRenewing(name: string): void;
  /** Renews it again from the next round on (and at once). */
  resumeRenewing(name: string): void;
  /** Renews every live node's Lease now; resolves when done. */
  renewAll(): Promise<void>;
  /** Stops the loop; deletes the nodes when deleteOnDispose. Idempotent. */
  dispose(): Promise<void>;
}

const DEFAULT_ALLOCATABLE = { cpu: '4', memory: '16Gi', pods: '110' };

/** Runs fn over items with at most `limit` calls in flight; rejects with the first failure. */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** The Node object a hollow node registers with. Pure. */
export function hollowNode(name: string, index: number, opts: HollowNodesOptions, nowMs: number): KubeObject {
  const alloc = opts.allocatable ?? DEFAULT_ALLOCATABLE;
  const extra = typeof opts.labels === 'function' ? opts.labels(index) : (opts.labels ?? {});
  const taints = typeof opts.taints === 'function' ? opts.taints(index) : (opts.taints ?? []);
  const now = rfc3339(nowMs);
  const resources: JsonObject = { cpu: alloc.cpu, memory: alloc.memory, pods: alloc.pods };
  const spec: JsonObject = {};
  if (taints.length > 0) spec.taints = taints.map((t) => ({ key: t.key, ...(t.value === undefined ? {} : { value: t.value }), effect: t.effect }));
  if (opts.unschedulable === true) spec.unschedulable = true;
  const condition = (type: string, status: string, reason: string, message: string): JsonObject => ({
    type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: now,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...extra },
    },
    spec,
    status: {
      capacity: { ...resources },
      allocatable: { ...resources },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: `10.255.${Math.floor(index / 250) % 256}.${(index % 250) + 1}` },
        { type: 'Hostname', address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64', operatingSystem: 'linux', kubeletVersion: 'v1.33.0-hollow', kubeProxyVersion: '',
        containerRuntimeVersion: 'hollow://1.0', kernelVersion: '6.1.0', osImage: 'hollow', machineID: '', systemUUID: '', bootID: '',
      },
    },
  };
}

export async function startHollowNodes(client: KubeClient, opts: HollowNodesOptions): Promise<HollowNodes> {
  const clock = opts.clock ?? systemClock;
  const prefix = opts.prefix ?? 'hollow-node';
  const concurrency = opts.concurrency ?? 16;
  const renewEveryMs = opts.renewEveryMs ?? 10_000;
  const durationSeconds = opts.leaseDurationSeconds ?? 40;
  const names = Array.from({ length: opts.count }, (_, i) => `${prefix}-${i}`);
  const owners = new Map<string, OwnerReference>();
  const leases = new Map<string, KubeObject>();
  const paused = new Set<string>();
  const stop = new AbortController();

  await forEachLimit(names, concurrency, async (name, i) => {
    let node: KubeObject;
    try {
      node = await client.create('/api/v1/nodes', hollowNode(name, i, opts, clock.now()), { signal: stop.signal });
    } catch (err) {
      if (!isNodeletError(err, ErrorCode.AlreadyExists)) throw err;
      node = await client.get(nodePath(name), { signal: stop.signal });
    }
    owners.set(name, { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid ?? '' });
  });

  const renew = async (name: string): Promise<void> => {
    const signal = stop.signal;
    for (let attempt = 0; attempt < 3 && !signal.aborted; attempt++) {
      const base = leases.get(name);
      const next = renewedLease(base, { nodeName: name, durationSeconds, nowMs: clock.now(), owner: owners.get(name) });
      try {
        leases.set(name, base === undefined ? await createOrGet(client, next, signal) : await client.update(leasePath(name), next, { signal }));
        return;
      } catch (err) {
        // A stale or missing copy: re-read (or recreate) on the next attempt.
        leases.delete(name);
        if (!isNodeletError(err, ErrorCode.Conflict) && !isNodeletError(err, ErrorCode.NotFound)) throw err;
      }
    }
  };
  const renewAll = async (): Promise<void> => {
    await forEachLimit(names.filter((n) => !paused.has(n)), concurrency, (name) => renew(name).catch(() => undefined));
  };

  await forEachLimit(names, concurrency, renew);
  const loop = (async () => {
    while (!stop.signal.aborted) {
      try {
        await clock.sleep(renewEveryMs, stop.signal);
      } catch {
        return;
      }
      await renewAll();
    }
  })();

  let disposed: Promise<void> | undefined;
  return {
    names,
    stopRenewing: (name) => {
      paused.add(name);
    },
    resumeRenewing: (name) => {
      paused.delete(name);
      void renew(name).catch(() => undefined);
    },
    renewAll,
    dispose: () =>
      (disposed ??= (async () => {
        stop.abort();
        await loop;
        if (opts.deleteOnDispose !== true) return;
        await forEachLimit(names, concurrency, async (name) => {
          await client.delete(leasePath(name)).catch(() => undefined);
          await client.delete(nodePath(name)).catch(() => undefined);
        });
      })()),
  };
}

async function createOrGet(client: KubeClient, lease: KubeObject, signal: AbortSignal): Promise<KubeObject> {
  try {
    return await client.create(leasesPath(), lease, { signal });
  } catch (err) {
    if (!isNodeletError(err, ErrorCode.AlreadyExists)) throw err;
    const current = await client.get(leasePath(lease.metadata.name ?? ''), { signal });
    return client.update(leasePath(lease.metadata.name ?? ''), { ...lease, metadata: { ...lease.metadata, resourceVersion: current.metadata.resourceVersion ?? '' } }, { signal });
  }
}
