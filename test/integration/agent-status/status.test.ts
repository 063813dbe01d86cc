// The status manager and the event recorder against a real `nodelet apiserver` (SQLite), through
// the REST client with the admin kubeconfig: generated statuses land on pods/status as kubectl
// reads them, an older status never follows a newer one, a status for another incarnation of
// the name is refused, a deleted pod's termination is confirmed (DELETE grace 0 -> gone), and
// repeated events are aggregated into one Event with a count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventRecorder } from '../../../src/agent/events/recorder.js';
import { Events } from '../../../src/agent/events/reasons.js';
import { containerRef } from '../../../src/agent/events/refs.js';
import type { ContainerRuntimeState, PodRuntimeState } from '../../../src/agent/runtime-state.js';
import { generatePodStatus, type PodFacts } from '../../../src/agent/status/generate.js';
import { StatusManager } from '../../../src/agent/status/status-manager.js';
import { loadKubeconfig } from '../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../src/api/client/types.js';
import { isJsonObject, type KubeObject } from '../../../src/api/object.js';
import type { Pod, PodStatus } from '../../../src/api/pod-types.js';
import { systemClock } from '../../../src/base/clock.js';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { createLogger } from '../../../src/base/log.js';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';

const NS = 'status-it';
const NODE = 'node-it';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const log = createLogger({ level: process.env.STATUS_IT_LOG ?? 'error', format: 'text' });

let apiserver: RunningApiserver;
let client: KubeClient;

before(async () => {
  apiserver = await startApiserver('sqlite');
  client = createKubeClient({ credentials: await loadKubeconfig(apiserver.kubeconfig), userAgent: 'nodelet-status-it' });
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  client?.close();
  await apiserver?.stop();
});

/** Creates a pod bound to the test node and returns it as the agent sees it. */
async function createPod(name: string): Promise<Pod> {
  const created = await client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: NODE, containers: [{ name: 'app', image: 'nodelet.local/busybox:1.35' }], terminationGracePeriodSeconds: 30 },
  });
  return toPod(created);
}

function toPod(o: KubeObject): Pod {
  const spec = o['spec'];
  assert.ok(isJsonObject(spec));
  const { name, namespace, uid } = o.metadata;
  assert.ok(name !== undefined && namespace !== undefined && uid !== undefined);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...o.metadata, name, namespace, uid }, spec: spec as unknown as Pod['spec'] };
}

function running(pod: Pod): PodRuntimeState {
  const app: ContainerRuntimeState = {
    id: 'c0ffee',
    name: 'app',
    attempt: 0,
    sandboxId: 'sb',
    state: 'running',
    createdAt: 1_714_557_600_000_000_000n,
    startedAt: 1_714_557_601_000_000_000n,
    finishedAt: 0n,
    exitCode: 0,
    reason: '',
    message: '',
    image: 'sha256:1',
    imageRef: 'nodelet.local/busybox@sha256:1',
    hash: 'h',
    restartCount: 0,
    type: 'app',
  };
  return {
    uid: pod.metadata.uid,
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    sandboxes: [{ id: 'sb', attempt: 0, ready: true, createdAt: 1_714_557_599_000_000_000n, ips: ['10.244.0.9'] }],
    containers: [app],
  };
}

/** The client with its patch replaced (the others delegate). */
function withPatch(inner: KubeClient, patch: KubeClient['patch']): KubeClient {
  return {
    server: inner.server,
    get: (p, o) => inner.get(p, o),
    list: (p, o) => inner.list(p, o),
    create: (p, b, o) => inner.create(p, b, o),
    update: (p, b, o) => inner.update(p, b, o),
    delete: (p, d, o) => inner.delete(p, d, o),
    watch: (p, o) => inner.watch(p, o),
    close: () => undefined,
    patch,
  };
}

const facts = (o: Partial<PodFacts> = {}): PodFacts => ({ hostIP: '192.168.0.10', waiting: new Map(), readiness: new Map(), started: new Map(), ...o });
const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Polls `get` until `ok` holds (a wait, not a timing assertion). */
async function eventually<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 300; i++) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}; last: ${JSON.stringify(last)}`);
}

async function serverStatus(name: string): Promise<PodStatus> {
  const status = (await client.get(`${PODS}/${name}`))['status'];
  assert.ok(isJsonObject(status));
  return status as unknown as PodStatus;
}

test('generated statuses land on pods/status with the fields kubectl shows', async (t) => {
  const pod = await createPod('web');
  const sm = new StatusManager({ client, clock: systemClock, log });
  t.after(() => sm.dispose());
  sm.start();

  sm.setPodStatus(pod, generatePodStatus(pod, undefined, facts({ waiting: new Map([['app', { reason: 'ErrImagePull', message: 'not found' }]]) }), now()));
  const pending = await eventually(() => serverStatus('web'), (s) => s.containerStatuses !== undefined, 'the Pending status arrives');
  assert.equal(pending.phase, 'Pending');
  assert.deepEqual(pending.containerStatuses?.[0]?.state, { waiting: { reason: 'ErrImagePull', message: 'not found' } });

  const status = generatePodStatus(pod, running(pod), facts({ oldStatus: sm.getPodStatus(pod.metadata.uid) }), now());
  sm.setPodStatus(pod, status);
  const s = await eventually(() => serverStatus('web'), (x) => x.phase === 'Running', 'the Running status arrives');
  assert.equal(s.podIP, '10.244.0.9');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.0.9' }]);
  assert.equal(s.hostIP, '192.168.0.10');
  assert.equal(s.qosClass, 'BestEffort');
  assert.ok(s.startTime !== undefined);
  const conditions = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.status]));
  assert.deepEqual(conditions, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  const app = s.containerStatuses?.[0];
  assert.equal(app?.name, 'app');
  assert.equal(app?.ready, true);
  assert.equal(app?.started, true);
  assert.equal(app?.containerID, 'containerd://c0ffee');
  assert.equal(app?.imageID, 'nodelet.local/busybox@sha256:1');
  assert.deepEqual(app?.state, { running: { startedAt: '2024-05-01T10:00:01Z' } });
});

test('an older status is never sent after a newer one', async (t) => {
  const pod = await createPod('ordered');
  const sent: string[] = [];
  let release: () => void = () => undefined;
  const firstHeld = new Promise<void>((r) => (release = r));
  const watched = withPatch(client, async (path, type, body, opts) => {
    const message = isJsonObject(body) && isJsonObject(body.status) ? String(body.status.message) : '?';
    sent.push(message);
    if (sent.length === 1) await firstHeld;
    return client.patch(path, type, body, opts);
  });
  const sm = new StatusManager({ client: watched, clock: systemClock, log });
  t.after(() => sm.dispose());
  sm.start();
  const base = generatePodStatus(pod, running(pod), facts(), now());
  sm.setPodStatus(pod, { ...base, message: 'v1' });
  await eventually(async () => sent.length, (n) => n === 1, 'v1 is in flight');
  sm.setPodStatus(pod, { ...base, message: 'v2' });
  sm.setPodStatus(pod, { ...base, message: 'v3' });
  release();
  await eventually(() => serverStatus('ordered'), (s) => s.message === 'v3', 'v3 lands');
  assert.deepEqual(sent, ['v1', 'v3']);
});

test('a status for an earlier incarnation of the name is refused (uid in the patch)', async (t) => {
  const old = await createPod('reborn');
  await client.delete(`${PODS}/reborn`, { gracePeriodSeconds: 0 });
  await createPod('reborn');
  const errors: unknown[] = [];
  const watched = withPatch(client, (path, type, body, opts) =>
    client.patch(path, type, body, opts).catch((err: unknown) => {
      errors.push(err);
      throw err;
    }),
  );
  const sm = new StatusManager({ client: watched, clock: systemClock, log });
  t.after(() => sm.dispose());
  sm.start();
  sm.setPodStatus(old, { ...generatePodStatus(old, running(old), facts(), now()), message: 'stale' });
  await eventually(async () => errors.length, (n) => n > 0, 'the patch is answered');
  assert.ok(isNodeletError(errors[0], ErrorCode.Conflict), String(errors[0]));
  assert.notEqual((await serverStatus('reborn')).message, 'stale');
});

test('a deleted pod that has terminated is confirmed with DELETE grace 0 and disappears', async (t) => {
  const pod = await createPod('doomed');
  const sm = new StatusManager({ client, clock: systemClock, log });
  t.after(() => sm.dispose());
  sm.start();
  sm.setPodStatus(pod, generatePodStatus(pod, running(pod), facts(), now()));
  await eventually(() => serverStatus('doomed'), (s) => s.phase === 'Running', 'Running lands');

  await client.delete(`${PODS}/doomed`);
  const deleting = toPod(await client.get(`${PODS}/doomed`));
  assert.ok(deleting.metadata.deletionTimestamp !== undefined, 'graceful deletion leaves the pod with a deletionTimestamp');
  const stopped = running(deleting);
  stopped.containers = stopped.containers.map((c) => ({ ...c, state: 'exited', finishedAt: 1_714_557_700_000_000_000n, exitCode: 137 }));
  stopped.sandboxes = stopped.sandboxes.map((s) => ({ ...s, ready: false }));
  sm.setPodStatus(deleting, generatePodStatus(deleting, stopped, facts({ podIsTerminal: true, oldStatus: sm.getPodStatus(deleting.metadata.uid) }), now()));
  sm.podTerminated(deleting);
  await eventually(
    () => client.get(`${PODS}/doomed`).then(() => 'present', (err: unknown) => (isNodeletError(err, ErrorCode.NotFound) ? 'gone' : String(err))),
    (v) => v === 'gone',
    'the pod is gone',
  );
  assert.equal(sm.getPodStatus(deleting.metadata.uid), undefined);
});

test('events are created and identical ones aggregated (count 2)', async (t) => {
  const pod = await createPod('noisy');
  const rec = new EventRecorder({ client, clock: systemClock, log, nodeName: NODE });
  t.after(() => rec.dispose());
  rec.record(containerRef(pod, 'app'), Events.pulling('nodelet.local/busybox:1.35'));
  rec.record(containerRef(pod, 'app'), Events.pulling('nodelet.local/busybox:1.35'));
  rec.record(containerRef(pod, 'app'), Events.started('app'));
  await rec.flush();
  const events = (await client.list(`/api/v1/namespaces/${NS}/events`)).items.filter((e) => {
    const inv = e['involvedObject'];
    return isJsonObject(inv) && inv.uid === pod.metadata.uid;
  });
  const byReason = Object.fromEntries(events.map((e) => [String(e['reason']), e]));
  assert.equal(events.length, 2);
  assert.equal(byReason['Pulling']?.['count'], 2);
  assert.equal(byReason['Pulling']?.['message'], 'Pulling image "nodelet.local/busybox:1.35"');
  assert.equal(byReason['Started']?.['count'], 1);
  const source = byReason['Started']?.['source'];
  assert.deepEqual(source, { component: 'kubelet', host: NODE });
  const involved = byReason['Started']?.['involvedObject'];
  assert.ok(isJsonObject(involved));
  assert.equal(involved.fieldPath, 'spec.containers{app}');
});
