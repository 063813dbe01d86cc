// One round of the pod-startup benchmark: N pods at once, each timed from the moment its create
// is sent to the moment a watch shows it Ready; and the same N pods straight through CRI (the
// runtime floor). Plus the cleanups that leave the node empty between rounds.
import type { JsonValue } from '../../src/api/object.js';
import { isJsonObject } from '../../src/api/object.js';
import { errorMessage } from '../../src/base/errors.js';
import type { CriClient } from '../../src/cri/client.js';
import { BUSYBOX_IMAGE } from '../../test/harness/images.js';
import { conditionStatus, waitFor } from './bench-cluster.js';
import type { FloorPodFactory } from './floor-pods.js';
import type { KubeClient } from './kube-client.js';

const NAMESPACE = 'default';
const PODS = `/api/v1/namespaces/${NAMESPACE}/pods`;

/** A busybox `sleep 3600` pod bound to the node (no scheduler needed), image already present. */
export function benchPod(name: string, round: string, nodeName: string): JsonValue {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NAMESPACE, labels: { bench: 'pod-startup', 'bench-round': round } },
    spec: {
      nodeName,
      // sleep as PID 1 ignores SIGTERM: keep the cleanup between rounds short.
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: BUSYBOX_IMAGE.ref, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    },
  };
}

function podName(obj: unknown): string | undefined {
  return isJsonObject(obj) && isJsonObject(obj.metadata) && typeof obj.metadata.name === 'string' ? obj.metadata.name : undefined;
}

function phaseOf(obj: unknown): string {
  return isJsonObject(obj) && isJsonObject(obj.status) && typeof obj.status.phase === 'string' ? obj.status.phase : '?';
}

async function listRound(client: KubeClient, round: string): Promise<{ names: string[]; items: unknown[]; resourceVersion: string }> {
  const res = await client.request('GET', `${PODS}?labelSelector=${encodeURIComponent(`bench-round=${round}`)}`);
  if (res.status !== 200 || !isJsonObject(res.body)) throw new Error(`list pods: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  const items = Array.isArray(res.body.items) ? res.body.items : [];
  const rv = isJsonObject(res.body.metadata) && typeof res.body.metadata.resourceVersion === 'string' ? res.body.metadata.resourceVersion : '';
  return { names: items.map(podName).filter((n): n is string => n !== undefined), items, resourceVersion: rv };
}

/**
 * Creates `n` pods at once and resolves with each one's create-sent -> Ready-seen time (ms).
 * The watch starts from a list's resourceVersion, so no event is missed however the create and
 * the watch race.
 */
export async function agentRound(client: KubeClient, opts: { n: number; round: string; nodeName: string; timeoutMs: number }): Promise<number[]> {
  const names = Array.from({ length: opts.n }, (_, i) => `${opts.round}-${i}`);
  const sent = new Map<string, number>();
  const ready = new Map<string, number>();
  const latest = new Map<string, unknown>();
  const { resourceVersion } = await listRound(client, opts.round);
  const stop = new AbortController();
  let allReady: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReady = resolve));
  const watchPath = `${PODS}?watch=true&resourceVersion=${resourceVersion}&labelSelector=${encodeURIComponent(`bench-round=${opts.round}`)}`;
  const watching = client
    .watch(
      watchPath,
      (ev) => {
        const seen = performance.now();
        if (!isJsonObject(ev)) return;
        const name = podName(ev.object);
        if (name === undefined) return;
        latest.set(name, ev.object);
        if (!ready.has(name) && conditionStatus(ev.object, 'Ready') === 'True') {
          ready.set(name, seen);
          if (ready.size === names.length) allReady();
        }
      },
      stop.signal,
    )
    .catch((err: unknown) => err);

  try {
    await Promise.all(
      names.map(async (name) => {
        sent.set(name, performance.now());
        const res = await client.request('POST', PODS, benchPod(name, opts.round, opts.nodeName));
        if (res.status !== 201) throw new Error(`create pod ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), opts.timeoutMs)));
    const outcome = await Promise.race([done.then(() => 'ok' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const pending = names.filter((n) => !ready.has(n)).map((n) => `${n} (${phaseOf(latest.get(n))})`);
      throw new Error(`round ${opts.round}: ${pending.length} of ${names.length} pods not Ready after ${opts.timeoutMs} ms: ${pending.join(', ')}`);
    }
  } finally {
    stop.abort();
    await watching;
  }
  return names.map((n) => (ready.get(n) ?? Number.NaN) - (sent.get(n) ?? Number.NaN));
}

/**
 * Deletes the round's pods and waits until the apiserver has none left (the agent deletes each
 * once its containers are gone) and the runtime has no sandbox left. Force-deletes after 120 s.
 */
export async function cleanAgentRound(client: KubeClient, cri: CriClient, round: string): Promise<void> {
  const { names } = await listRound(client, round);
  await Promise.all(names.map((n) => client.request('DELETE', `${PODS}/${n}`)));
  const gone = async (): Promise<boolean> => (await listRound(client, round)).names.length === 0;
  try {
    await waitFor(120_000, gone, () => `round ${round}: pods still listed 120 s after delete`);
  } catch (err) {
    console.error(`pod-startup: ${errorMessage(err)}; force-deleting`);
    const left = (await listRound(client, round)).names;
    await Promise.all(left.map((n) => client.request('DELETE', `${PODS}/${n}?gracePeriodSeconds=0`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 })));
    await waitFor(30_000, gone, () => `round ${round}: pods still listed after a forced delete`);
  }
  // The node is empty again only once the agent has removed the sandboxes too (its cleanup runs
  // after the deletion is confirmed); the floor's rounds likewise end with every sandbox removed.
  // Otherwise that removal would run inside the next round and be counted against the agent.
  await waitFor(
    120_000,
    async () => (await cri.listPodSandbox()).length === 0,
    () => `round ${round}: the runtime still has sandboxes 120 s after the pods were deleted`,
  );
}

/**
 * The floor: `n` pods at once through CRI (sandbox + container + start), each timed from its
 * RunPodSandbox; configs are built first, by the agent's builder (floor-pods.ts). Resolves with
 * the times and a `remove` that stops and removes them, so a caller can measure the starts alone.
 * If a start fails, what did start is removed before the error is thrown.
 */
export async function floorRound(
  cri: CriClient,
  opts: { n: number; round: string; pods: FloorPodFactory; imageRef: string },
): Promise<{ latencies: number[]; remove: () => Promise<void> }> {
  const pods = await Promise.all(Array.from({ length: opts.n }, (_, i) => opts.pods(`${opts.round}-${i}`, opts.round)));
  const containers = await Promise.all(pods.map((p) => p.container(opts.imageRef)));
  const started: string[] = [];
  const startOne = async (i: number): Promise<number> => {
    const pod = pods[i];
    const container = containers[i];
    if (pod === undefined || container === undefined) throw new Error(`no config for floor pod ${i}`);
    const t0 = performance.now();
    const podId = await cri.runPodSandbox(pod.sandbox);
    started.push(podId);
    const id = await cri.createContainer(podId, container, pod.sandbox);
    await cri.startContainer(id);
    return performance.now() - t0;
  };
  const remove = async (): Promise<void> => {
    await Promise.all(
      started.map(async (id) => {
        await cri.stopPodSandbox(id);
        await cri.removePodSandbox(id);
      }),
    );
  };
  const outcomes = await Promise.allSettled(pods.map((_, i) => startOne(i)));
  const failure = outcomes.find((o) => o.status === 'rejected');
  if (failure !== undefined) {
    await remove();
    throw failure.reason;
  }
  return { latencies: outcomes.map((o) => (o.status === 'fulfilled' ? o.value : Number.NaN)), remove };
}
