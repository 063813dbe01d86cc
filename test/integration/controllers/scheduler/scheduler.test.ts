// The scheduler against the real API handler (in-process, SQLite) with hollow nodes: a table of
// pods and where they must land, or the PodScheduled=False condition and FailedScheduling event
// that must say why; then a node that fits joins and the stuck pod is bound to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadKubeconfig } from '../../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../../src/api/client/types.js';
import { objectsAt, stringAt } from '../../../../src/api/json.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../../../../src/api/object.js';
import { SchedulerController } from '../../../../src/apiserver/controllers/scheduler/scheduler.js';
import { systemClock } from '../../../../src/base/clock.js';
import { createLogger } from '../../../../src/base/log.js';
import { startHollowNodes, type HollowNodes } from '../../../harness/hollow-nodes.js';
import { startTestServer, type TestServer } from '../../apiserver/server.js';

let server: TestServer;
let client: KubeClient;
let scheduler: SchedulerController;
const fleets: HollowNodes[] = [];
const PODS = '/api/v1/namespaces/default/pods';
const TAINT_REASON = '1 node(s) had untolerated taint {dedicated: gpu}';

before(async () => {
  server = await startTestServer();
  client = createKubeClient({ credentials: await loadKubeconfig(await server.kubeconfig()) });
  const alloc = { cpu: '2', memory: '4Gi', pods: '110' };
  fleets.push(await startHollowNodes(client, { count: 1, prefix: 'web', labels: { pool: 'web' }, allocatable: alloc }));
  fleets.push(await startHollowNodes(client, { count: 1, prefix: 'gpu', labels: { pool: 'gpu' }, allocatable: alloc, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  scheduler = new SchedulerController({ client, clock: systemClock, log: createLogger({ level: process.env.NODELET_TEST_LOG ?? 'error', format: 'text' }) });
  scheduler.start();
});

after(async () => {
  await scheduler.dispose();
  for (const f of fleets) await f.dispose();
  client.close();
  await server.close();
});

function podBody(name: string, spec: JsonObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nodelet.local/pause:3.10' }], ...spec } };
}

/** Polls until `check` returns a value (a safety deadline only; nothing here is timed). */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await systemClock.sleep(100);
  }
}

function nodeNameOf(pod: KubeObject): string {
  return isJsonObject(pod.spec) ? (stringAt(pod.spec, 'nodeName') ?? '') : '';
}

async function boundNode(name: string): Promise<string> {
  return until(`${name} bound`, async () => {
    const n = nodeNameOf(await client.get(`${PODS}/${name}`));
    return n === '' ? undefined : n;
  });
}

async function unschedulableMessage(name: string): Promise<string> {
  return until(`${name} PodScheduled=False`, async () => {
    const pod = await client.get(`${PODS}/${name}`);
    assert.equal(nodeNameOf(pod), '', `${name} must stay unbound`);
    const cond = objectsAt(isJsonObject(pod.status) ? pod.status : undefined, 'conditions').find((c) => c.type === 'PodScheduled');
    if (cond === undefined) return undefined;
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    return stringAt(cond, 'message');
  });
}

async function eventsFor(name: string, reason: string): Promise<JsonObject[]> {
  const list = await client.list('/api/v1/namespaces/default/events');
  return list.items.filter((e) => isJsonObject(e.involvedObject) && e.involvedObject.name === name && e.reason === reason) as unknown as JsonObject[];
}

const gpuToleration = { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] };
const hostPort = (port: number) => ({ containers: [{ name: 'c', image: 'nodelet.local/pause:3.10', ports: [{ containerPort: 80, hostPort: port }] }] });

const cases: Array<{ name: string; spec: JsonObject; node?: string; message?: string }> = [
  { name: 'tolerates-gpu', spec: { nodeSelector: { pool: 'gpu' }, ...gpuToleration }, node: 'gpu-0' },
  { name: 'no-toleration', spec: { nodeSelector: { pool: 'gpu' } }, message: `0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, ${TAINT_REASON}.` },
  { name: 'selector-web', spec: { nodeSelector: { pool: 'web' } }, node: 'web-0' },
  {
    name: 'too-big',
    spec: { containers: [{ name: 'c', image: 'nodelet.local/pause:3.10', resources: { requests: { cpu: '3' } } }] },
    message: `0/2 nodes are available: 1 Insufficient cpu, ${TAINT_REASON}.`,
  },
  { name: 'port-first', spec: hostPort(9000), node: 'web-0' },
  { name: 'port-second', spec: hostPort(9000), message: `0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, ${TAINT_REASON}.` },
  {
    name: 'fills-web',
    spec: { nodeSelector: { pool: 'web' }, containers: [{ name: 'c', image: 'nodelet.local/pause:3.10', resources: { requests: { cpu: '1500m' } } }] },
    node: 'web-0',
  },
  {
    name: 'web-full',
    spec: { nodeSelector: { pool: 'web' }, containers: [{ name: 'c', image: 'nodelet.local/pause:3.10', resources: { requests: { cpu: '1' } } }] },
    message: `0/2 nodes are available: 1 Insufficient cpu, ${TAINT_REASON}.`,
  },
];

for (const c of cases) {
  test(`scheduling: ${c.name}`, async () => {
    await client.create(PODS, podBody(c.name, c.spec));
    if (c.node !== undefined) {
      assert.equal(await boundNode(c.name), c.node);
      const scheduled = await until('Scheduled event', async () => ((await eventsFor(c.name, 'Scheduled'))[0]));
      assert.equal(scheduled.message, `Successfully assigned default/${c.name} to ${c.node}`);
      return;
    }
    assert.equal(await unschedulableMessage(c.name), c.message);
    const failed = await until('FailedScheduling event', async () => (await eventsFor(c.name, 'FailedScheduling'))[0]);
    assert.equal(failed.message, c.message);
    assert.equal(failed.type, 'Warning');
    assert.deepEqual(failed.source, { component: 'default-scheduler' });
  });
}

test('a pod for another scheduler is left alone', async () => {
  await client.create(PODS, podBody('other-scheduler', { schedulerName: 'my-scheduler', nodeSelector: { pool: 'web' } }));
  await client.create(PODS, podBody('after-other', { nodeSelector: { pool: 'gpu' }, ...gpuToleration }));
  // The watch delivers in order: once the later pod is bound, the scheduler has seen the first.
  await boundNode('after-other');
  await scheduler.idle();
  const pod = await client.get(`${PODS}/other-scheduler`);
  assert.equal(nodeNameOf(pod), '');
  assert.equal(objectsAt(isJsonObject(pod.status) ? pod.status : undefined, 'conditions').length, 0);
});

test('a node that fits joins: the stuck pod is scheduled on it', async () => {
  await client.create(PODS, podBody('waits-for-node', { nodeSelector: { pool: 'late' } }));
  assert.equal(await unschedulableMessage('waits-for-node'), `0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, ${TAINT_REASON}.`);
  fleets.push(await startHollowNodes(client, { count: 1, prefix: 'late', labels: { pool: 'late' } }));
  assert.equal(await boundNode('waits-for-node'), 'late-0');
});

test('deleting a bound pod frees its resources for a parked one', async () => {
  // web-full waits for cpu on web-0; removing fills-web makes room.
  await client.delete(`${PODS}/fills-web`, { gracePeriodSeconds: 0 });
  assert.equal(await boundNode('web-full'), 'web-0');
});
