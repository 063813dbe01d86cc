import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../../../src/api/object.js';
import { parsePod, parseService, type Pod, type Service, type Slice } from '../../../../../src/apiserver/controllers/endpointslice/model.js';
import { planSlices, sliceLabels, type PlannedSlice } from '../../../../../src/apiserver/controllers/endpointslice/slice-plan.js';
import { desiredSubsets } from '../../../../../src/apiserver/controllers/endpointslice/endpoints-plan.js';

function service(spec: Record<string, unknown> = {}): Service {
  return parseService({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  } as unknown as KubeObject);
}

function pod(name: string, ip: string, opts: { ready?: boolean; deleting?: boolean; ports?: Array<{ name: string; containerPort: number }>; phase?: string } = {}): Pod {
  return parsePod({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(opts.deleting === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x', ports: opts.ports ?? [] }] },
    status: {
      phase: opts.phase ?? 'Running',
      podIP: ip,
      podIPs: ip === '' ? [] : [{ ip }],
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }],
    },
  } as unknown as KubeObject);
}

/** Applies a plan to a set of slices the way the apiserver would, naming creates. */
function apply(svc: Service, existing: Slice[], plan: ReturnType<typeof planSlices>): Slice[] {
  let n = 0;
  const out = new Map(existing.map((s) => [s.name, s]));
  const toSlice = (p: PlannedSlice, name: string): Slice => ({
    name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', labels: p.labels,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.name, uid: svc.uid, controller: true }],
    addressType: p.addressType, endpoints: p.endpoints, ports: p.ports,
  });
  for (const d of plan.delete) out.delete(d.name);
  for (const u of plan.update) out.set(u.name ?? '', toSlice(u, u.name ?? ''));
  for (const c of plan.create) { const name = `web-new${existing.length}-${n++}`; out.set(name, toSlice(c, name)); }
  return [...out.values()];
}

test('ready pods become ready endpoints with target, node and resolved port', () => {
  const plan = planSlices(service(), [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')], []);
  assert.equal(plan.create.length, 1);
  const s = plan.create[0];
  assert.ok(s !== undefined);
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(s.endpoints[0], {
    addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1',
    targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
  });
  assert.equal(s.labels['kubernetes.io/service-name'], 'web');
  assert.equal(s.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
});

test('pods without IP or terminal are left out; not-ready and terminating set conditions', () => {
  const plan = planSlices(service(), [
    pod('noip', ''), pod('done', '10.0.0.9', { phase: 'Succeeded' }),
    pod('unready', '10.0.0.1', { ready: false }), pod('term', '10.0.0.2', { deleting: true }),
  ], []);
  const eps = plan.create.flatMap((c) => c.endpoints);
  assert.deepEqual(eps.map((e) => [e.targetRef?.name, e.conditions]), [
    ['term', { ready: false, serving: true, terminating: true }],
    ['unready', { ready: false, serving: false, terminating: false }],
  ]);
});

test('publishNotReadyAddresses makes every endpoint ready', () => {
  const plan = planSlices(service({ publishNotReadyAddresses: true }), [pod('u', '10.0.0.1', { ready: false }), pod('t', '10.0.0.2', { deleting: true })], []);
  assert.ok(plan.create.flatMap((c) => c.endpoints).every((e) => e.conditions.ready));
});

test('a named targetPort resolves per pod; different numbers go to different slices; missing name drops the port', () => {
  const svc = service({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] });
  const plan = planSlices(svc, [
    pod('a', '10.0.0.1', { ports: [{ name: 'web', containerPort: 8080 }] }),
    pod('b', '10.0.0.2', { ports: [{ name: 'web', containerPort: 9090 }] }),
    pod('c', '10.0.0.3', { ports: [{ name: 'web', containerPort: 8080 }] }),
    pod('d', '10.0.0.4'),
  ], []);
  const byPort = plan.create.map((c) => [c.ports.map((p) => p.port).join(','), c.endpoints.map((e) => e.targetRef?.name).join(',')]).sort();
  assert.deepEqual(byPort, [['', 'd'], ['8080', 'a,c'], ['9090', 'b']]);
});

test('more than 100 endpoints are split into slices of at most 100', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, `10.0.${Math.floor(i / 200)}.${i % 200}`));
  const plan = planSlices(service(), pods, []);
  assert.deepEqual(plan.create.map((c) => c.endpoints.length).sort((a, b) => a - b), [50, 100, 100]);
  const all = new Set(plan.create.flatMap((c) => c.endpoints.map((e) => e.addresses[0])));
  assert.equal(all.size, 250);
});

test('minimal churn: unchanged state plans nothing; one readiness change updates one slice in place', () => {
  const svc = service();
  const pods = Array.from({ length: 150 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, `10.0.1.${i}`));
  const slices = apply(svc, [], planSlices(svc, pods, []));
  assert.equal(slices.length, 2);
  assert.deepEqual(planSlices(svc, pods, slices), { create: [], update: [], delete: [] });
  const changed = pods.map((p) => (p.name === 'p120' ? { ...p, ready: false } : p));
  const plan = planSlices(svc, changed, slices);
  assert.equal(plan.create.length, 0);
  assert.equal(plan.delete.length, 0);
  assert.equal(plan.update.length, 1);
  const owner = slices.find((s) => s.endpoints.some((e) => e.targetRef?.name === 'p120'));
  assert.equal(plan.update[0]?.name, owner?.name);
});

test('a new pod goes into an existing slice with room; a removed pod is dropped from its slice', () => {
  const svc = service();
  const slices = apply(svc, [], planSlices(svc, [pod('a', '10.0.0.1')], []));
  const plan = planSlices(svc, [pod('a', '10.0.0.1'), pod('b', '10.0.0.2')], slices);
  assert.equal(plan.create.length, 0);
  assert.equal(plan.update.length, 1);
  assert.deepEqual(plan.update[0]?.endpoints.map((e) => e.targetRef?.name), ['a', 'b']);
  const after = apply(svc, slices, plan);
  const removal = planSlices(svc, [pod('b', '10.0.0.2')], after);
  assert.deepEqual(removal.update[0]?.endpoints.map((e) => e.targetRef?.name), ['b']);
});

test('an IP change replaces the endpoint in place (the slice is reused, not recreated)', () => {
  const svc = service();
  const slices = apply(svc, [], planSlices(svc, [pod('a', '10.0.0.1')], []));
  const plan = planSlices(svc, [pod('a', '10.0.0.7')], slices);
  assert.equal(plan.create.length, 0);
  assert.equal(plan.delete.length, 0);
  assert.deepEqual(plan.update.map((u) => [u.name, u.endpoints[0]?.addresses]), [[slices[0]?.name, ['10.0.0.7']]]);
});

test('no endpoints: one placeholder slice, kept as is', () => {
  const svc = service();
  const plan = planSlices(svc, [], []);
  assert.equal(plan.create.length, 1);
  assert.deepEqual(plan.create[0]?.endpoints, []);
  const slices = apply(svc, [], plan);
  assert.deepEqual(planSlices(svc, [], slices), { create: [], update: [], delete: [] });
  // The last pod going turns its slice into the placeholder rather than delete + create.
  const one = apply(svc, [], planSlices(svc, [pod('a', '10.0.0.1')], []));
  const gone = planSlices(svc, [], one);
  assert.equal(gone.create.length + gone.delete.length, 0);
  assert.deepEqual(gone.update[0]?.endpoints, []);
});

test('slices of an older service of the same name are deleted, not reused', () => {
  const svc = service();
  const old = apply(svc, [], planSlices(svc, [pod('a', '10.0.0.1')], [])).map((s) => ({ ...s, ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'older' }] }));
  const plan = planSlices(svc, [pod('a', '10.0.0.1')], old);
  assert.equal(plan.delete.length, 1);
  assert.equal(plan.create.length, 1);
  assert.equal(plan.update.length, 0);
});

test('label changes on the service are copied onto slices', () => {
  const svc = service();
  const slices = apply(svc, [], planSlices(svc, [pod('a', '10.0.0.1')], []));
  const relabelled = { ...svc, labels: { tier: 'front' } };
  const plan = planSlices(relabelled, [pod('a', '10.0.0.1')], slices);
  assert.equal(plan.update.length, 1);
  assert.deepEqual(plan.update[0]?.labels, sliceLabels(relabelled));
});

test('legacy Endpoints: ready and not-ready addresses, terminating left out, ports repacked', () => {
  const svc = service({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { name: 'm', port: 9, protocol: 'TCP', targetPort: 'metrics' }] });
  const subsets = desiredSubsets(svc, [
    pod('a', '10.0.0.1', { ports: [{ name: 'metrics', containerPort: 9100 }] }),
    pod('b', '10.0.0.2', { ready: false }),
    pod('t', '10.0.0.3', { deleting: true }),
  ]);
  assert.deepEqual(subsets, [
    {
      addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }],
      notReadyAddresses: [{ ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    {
      addresses: [{ ip: '10.0.0.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }],
      ports: [{ name: 'm', port: 9100, protocol: 'TCP' }],
    },
  ]);
});
