// The EndpointSlice and Endpoints controllers against a real apiserver: pods get IPs and Ready
// through pods/status as the agent would write them, and slices and Endpoints follow readiness,
// IP, deletion, label and selector changes; deleting the Service removes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isJsonObject, type JsonObject, type KubeObject } from '../../../../src/api/object.js';
import { EndpointSliceController } from '../../../../src/apiserver/controllers/endpointslice/slice-controller.js';
import { EndpointsController } from '../../../../src/apiserver/controllers/endpointslice/endpoints-controller.js';
import { startEnv, eventually, type ControllerEnv } from './env.js';

let env: ControllerEnv;
let slices: EndpointSliceController;
let endpoints: EndpointsController;
const NS = 'default';
const PODS = `/api/v1/namespaces/${NS}/pods`;
const SLICES = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`;

before(async () => {
  env = await startEnv();
  slices = new EndpointSliceController(env.deps);
  endpoints = new EndpointsController(env.deps);
  slices.start();
  endpoints.start();
});
after(async () => {
  await slices.dispose();
  await endpoints.dispose();
  await env.close();
});

function objs(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

async function createPod(name: string, labels: Record<string, string>, port: number): Promise<KubeObject> {
  return env.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'web', containerPort: port }] }] },
  });
}

async function setStatus(name: string, ip: string, ready: boolean): Promise<void> {
  await env.client.patch(`${PODS}/${name}/status`, 'merge', {
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

async function slicesOf(service: string): Promise<KubeObject[]> {
  return (await env.client.list(SLICES, { labelSelector: `kubernetes.io/service-name=${service}` })).items;
}

/** name -> [address, ready, serving, terminating] over all slices of the service. */
async function endpointView(service: string): Promise<Record<string, [string, boolean, boolean, boolean]>> {
  const out: Record<string, [string, boolean, boolean, boolean]> = {};
  for (const s of await slicesOf(service)) {
    for (const e of objs(s.endpoints)) {
      const ref = isJsonObject(e.targetRef) ? e.targetRef : {};
      const c = isJsonObject(e.conditions) ? e.conditions : {};
      out[String(ref.name)] = [String(Array.isArray(e.addresses) ? e.addresses[0] : ''), c.ready === true, c.serving === true, c.terminating === true];
    }
  }
  return out;
}

async function endpointsView(service: string): Promise<{ ready: string[]; notReady: string[]; ports: number[] }> {
  const ep = await env.client.get(`/api/v1/namespaces/${NS}/endpoints/${service}`);
  const ready: string[] = [];
  const notReady: string[] = [];
  const ports = new Set<number>();
  for (const ss of objs(ep.subsets)) {
    for (const a of objs(ss.addresses)) ready.push(String(a.ip));
    for (const a of objs(ss.notReadyAddresses)) notReady.push(String(a.ip));
    for (const p of objs(ss.ports)) ports.add(Number(p.port));
  }
  return { ready: ready.sort(), notReady: notReady.sort(), ports: [...ports].sort() };
}

test('slices and Endpoints follow a service and its pods', async () => {
  const svc = await env.client.create(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'web' }] },
  });
  await createPod('a', { app: 'web' }, 8080);
  await createPod('b', { app: 'web' }, 8080);
  await createPod('c', { app: 'other' }, 9090);
  await setStatus('a', '10.1.0.1', true);
  await setStatus('b', '10.1.0.2', true);
  await setStatus('c', '10.1.0.3', true);

  await eventually('both pods are ready endpoints', async () => {
    assert.deepEqual(await endpointView('web'), { a: ['10.1.0.1', true, true, false], b: ['10.1.0.2', true, true, false] });
  });
  const [slice] = await slicesOf('web');
  assert.ok(slice !== undefined);
  assert.match(slice.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
  assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata.labels?.tier, 'front');
  assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }]);
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(objs(slice.ports).map((p) => [p.name, p.port, p.protocol]), [['http', 8080, 'TCP']]);
  const firstEp = objs(slice.endpoints)[0];
  assert.equal(firstEp?.nodeName, 'node-1');
  await eventually('Endpoints lists both', async () => {
    assert.deepEqual(await endpointsView('web'), { ready: ['10.1.0.1', '10.1.0.2'], notReady: [], ports: [8080] });
  });

  // Readiness: updated in place (same slice name).
  await setStatus('a', '10.1.0.1', false);
  await eventually('a is not ready', async () => {
    assert.deepEqual((await endpointView('web')).a, ['10.1.0.1', false, false, false]);
    assert.deepEqual(await endpointsView('web'), { ready: ['10.1.0.2'], notReady: ['10.1.0.1'], ports: [8080] });
  });
  assert.deepEqual((await slicesOf('web')).map((s) => s.metadata.name), [slice.metadata.name]);

  // IP change.
  await setStatus('b', '10.1.0.22', true);
  await eventually('b has its new IP', async () => {
    assert.deepEqual((await endpointView('web')).b, ['10.1.0.22', true, true, false]);
    assert.deepEqual((await endpointsView('web')).ready, ['10.1.0.22']);
  });

  // Label change: a leaves the service.
  await env.client.patch(`${PODS}/a`, 'merge', { metadata: { labels: { app: 'gone' } } });
  await eventually('a is no longer an endpoint', async () => {
    assert.deepEqual(Object.keys(await endpointView('web')), ['b']);
    assert.deepEqual(await endpointsView('web'), { ready: ['10.1.0.22'], notReady: [], ports: [8080] });
  });

  // Deletion: terminating first (a scheduled pod waits for its node), then gone.
  await env.client.delete(`${PODS}/b`);
  await eventually('b is terminating', async () => {
    assert.deepEqual((await endpointView('web')).b, ['10.1.0.22', false, true, true]);
    assert.deepEqual(await endpointsView('web'), { ready: [], notReady: [], ports: [] });
  });
  await env.client.delete(`${PODS}/b`, { gracePeriodSeconds: 0 });
  await eventually('b is gone and a placeholder slice stays', async () => {
    assert.deepEqual(await endpointView('web'), {});
    assert.equal((await slicesOf('web')).length, 1);
  });

  // Selector change: now c (port 9090 by name) is the endpoint.
  await env.client.patch(`/api/v1/namespaces/${NS}/services/web`, 'merge', { spec: { selector: { app: 'other' } } });
  await eventually('c is the endpoint', async () => {
    assert.deepEqual(await endpointView('web'), { c: ['10.1.0.3', true, true, false] });
    assert.deepEqual(await endpointsView('web'), { ready: ['10.1.0.3'], notReady: [], ports: [9090] });
  });

  // Service deleted: slices and Endpoints go.
  await env.client.delete(`/api/v1/namespaces/${NS}/services/web`);
  await eventually('slices and Endpoints are gone', async () => {
    assert.equal((await slicesOf('web')).length, 0);
    await assert.rejects(env.client.get(`/api/v1/namespaces/${NS}/endpoints/web`), /not found/);
  });
});

test('more than 100 pods are spread over slices of at most 100, and a service without selector is left alone', async () => {
  await env.client.create(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'big' },
    spec: { selector: { app: 'big' }, ports: [{ port: 80, targetPort: 8080 }] },
  });
  await env.client.create(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'manual' },
    spec: { ports: [{ port: 80 }] },
  });
  const names = Array.from({ length: 130 }, (_, i) => `big-${i}`);
  for (let i = 0; i < names.length; i += 10) {
    await Promise.all(names.slice(i, i + 10).map(async (n, j) => {
      await createPod(n, { app: 'big' }, 8080);
      await setStatus(n, `10.2.${Math.floor((i + j) / 100)}.${(i + j) % 100 + 1}`, true);
    }));
  }
  await eventually('130 endpoints in slices of at most 100', async () => {
    const all = await slicesOf('big');
    const counts = all.map((s) => objs(s.endpoints).length).sort((a, b) => a - b);
    assert.equal(counts.reduce((a, b) => a + b, 0), 130);
    assert.ok(counts.every((c) => c <= 100), JSON.stringify(counts));
  });
  const ep = await endpointsView('big');
  assert.equal(ep.ready.length, 130);
  assert.equal((await slicesOf('manual')).length, 0);
  await assert.rejects(env.client.get(`/api/v1/namespaces/${NS}/endpoints/manual`), /not found/);
});
