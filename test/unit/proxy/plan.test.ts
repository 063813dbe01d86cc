import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, categorizeEndpoints, planService } from '../../../src/proxy/plan.js';
import type { Endpoint, ServicePort } from '../../../src/proxy/types.js';
import { ep, svcPort } from './fakes.js';

const ips = (eps: Endpoint[]): string[] => eps.map((e) => e.ip);

const local = { isLocal: true };
const terminatingServing = { ready: false, serving: true, terminating: true };
const terminatingNotServing = { ready: false, serving: false, terminating: true };
const nodePortSvc = { nodePort: 30080, type: 'NodePort' as const };

// A ClusterIP-only service is not reachable from outside: its externalEndpoints are unused (empty
// when only local endpoints are in use, as upstream's clusterEndpoints then are).
interface Case {
  name: string;
  svc: Partial<ServicePort>;
  endpoints: Endpoint[];
  cluster: string[];
  external: string[];
  all: string[];
  noEndpoints: boolean;
}

const cases: Case[] = [
  { name: 'ready endpoints only', svc: {}, endpoints: [ep('10.0.0.2'), ep('10.0.0.1'), ep('10.0.0.3', { ready: false, serving: false })], cluster: ['10.0.0.1', '10.0.0.2'], external: ['10.0.0.1', '10.0.0.2'], all: ['10.0.0.1', '10.0.0.2'], noEndpoints: false },
  { name: 'no endpoints at all', svc: {}, endpoints: [], cluster: [], external: [], all: [], noEndpoints: true },
  { name: 'only unready endpoints: none usable', svc: {}, endpoints: [ep('10.0.0.1', { ready: false, serving: false })], cluster: [], external: [], all: [], noEndpoints: true },
  { name: 'serving-terminating used when none is ready', svc: {}, endpoints: [ep('10.0.0.1', terminatingServing), ep('10.0.0.2', terminatingNotServing)], cluster: ['10.0.0.1'], external: ['10.0.0.1'], all: ['10.0.0.1'], noEndpoints: false },
  { name: 'ready wins over serving-terminating', svc: {}, endpoints: [ep('10.0.0.1', terminatingServing), ep('10.0.0.2')], cluster: ['10.0.0.2'], external: ['10.0.0.2'], all: ['10.0.0.2'], noEndpoints: false },
  { name: 'ready but serving=false is still ready', svc: {}, endpoints: [ep('10.0.0.1', { serving: false })], cluster: ['10.0.0.1'], external: ['10.0.0.1'], all: ['10.0.0.1'], noEndpoints: false },
  { name: 'internalTrafficPolicy Local: only local ready', svc: { internalPolicyLocal: true }, endpoints: [ep('10.0.0.1', local), ep('10.0.0.2')], cluster: ['10.0.0.1'], external: [], all: ['10.0.0.1'], noEndpoints: false },
  { name: 'internal Local without local endpoints: empty but not REJECT', svc: { internalPolicyLocal: true }, endpoints: [ep('10.0.0.2')], cluster: [], external: [], all: [], noEndpoints: false },
  { name: 'internal Local falls back to local serving-terminating', svc: { internalPolicyLocal: true }, endpoints: [ep('10.0.0.1', { ...local, ...terminatingServing }), ep('10.0.0.2')], cluster: ['10.0.0.1'], external: [], all: ['10.0.0.1'], noEndpoints: false },
  { name: 'externalTrafficPolicy Local: external local, cluster all', svc: { ...nodePortSvc, externalPolicyLocal: true }, endpoints: [ep('10.0.0.1', local), ep('10.0.0.2')], cluster: ['10.0.0.1', '10.0.0.2'], external: ['10.0.0.1'], all: ['10.0.0.1', '10.0.0.2'], noEndpoints: false },
  { name: 'external Local with no local endpoint', svc: { ...nodePortSvc, externalPolicyLocal: true }, endpoints: [ep('10.0.0.2')], cluster: ['10.0.0.2'], external: [], all: ['10.0.0.2'], noEndpoints: false },
  { name: 'both Local', svc: { ...nodePortSvc, externalPolicyLocal: true, internalPolicyLocal: true }, endpoints: [ep('10.0.0.1', local), ep('10.0.0.2')], cluster: ['10.0.0.1'], external: ['10.0.0.1'], all: ['10.0.0.1'], noEndpoints: false },
  { name: 'internal Local, external Cluster (NodePort)', svc: { ...nodePortSvc, internalPolicyLocal: true }, endpoints: [ep('10.0.0.1', local), ep('10.0.0.2')], cluster: ['10.0.0.1'], external: ['10.0.0.1', '10.0.0.2'], all: ['10.0.0.1', '10.0.0.2'], noEndpoints: false },
];

test('endpoint selection follows upstream CategorizeEndpoints', () => {
  for (const c of cases) {
    const planned = planService({ svc: svcPort(c.svc), endpoints: c.endpoints });
    assert.deepEqual(ips(planned.clusterEndpoints), c.cluster, `${c.name}: cluster`);
    assert.deepEqual(ips(planned.externalEndpoints), c.external, `${c.name}: external`);
    assert.deepEqual(ips(planned.allEndpoints), c.all, `${c.name}: all`);
    assert.equal(planned.noEndpoints, c.noEndpoints, `${c.name}: noEndpoints`);
  }
});

test('categorizeEndpoints reports any endpoints even when Local has none here', () => {
  const c = categorizeEndpoints([ep('10.0.0.9')], svcPort({ internalPolicyLocal: true }));
  assert.equal(c.hasAnyEndpoints, true);
  assert.deepEqual(c.localEndpoints, []);
});

test('endpoints are sorted numerically by IP, then port', () => {
  const planned = planService({ svc: svcPort(), endpoints: [ep('10.0.0.10'), ep('10.0.0.9', { port: 9 }), ep('10.0.0.9', { port: 1 }), ep('9.0.0.1')] });
  assert.deepEqual(planned.allEndpoints.map((e) => `${e.ip}:${e.port}`), ['9.0.0.1:8080', '10.0.0.9:1', '10.0.0.9:9', '10.0.0.10:8080']);
});

test('buildPlan sorts services by key, skips headless, copies changed', () => {
  const a = { svc: svcPort({ name: 'b' }), endpoints: [] };
  const b = { svc: svcPort({ name: 'a', protocol: 'UDP' }), endpoints: [ep('10.0.0.1')] };
  const headless = { svc: svcPort({ name: 'h', clusterIP: undefined }), endpoints: [] };
  const changed = new Set(['default/b:http/tcp']);
  const plan = buildPlan({ services: [a, headless, b], nodeIPs: ['192.168.1.2', '10.1.1.1'], clusterCIDR: '10.244.0.0/16', changed });
  assert.deepEqual(plan.services.map((s) => s.svc.key.name), ['a', 'b']);
  assert.deepEqual(plan.nodeIPs, ['10.1.1.1', '192.168.1.2']);
  assert.equal(plan.clusterCIDR, '10.244.0.0/16');
  assert.deepEqual([...(plan.changed ?? [])], ['default/b:http/tcp']);
  assert.notEqual(plan.changed, changed);
  assert.equal(buildPlan({ services: [], nodeIPs: [], clusterCIDR: '', changed: undefined }).changed, undefined);
});

test('a partial buildPlan re-plans only changed keys and keeps key order as services come and go', () => {
  const a = { svc: svcPort({ name: 'a' }), endpoints: [ep('10.0.0.1')] };
  const b = { svc: svcPort({ name: 'b' }), endpoints: [ep('10.0.0.2')] };
  const c = { svc: svcPort({ name: 'c' }), endpoints: [ep('10.0.0.3')] };
  const input = (services: typeof a[], changed: ReadonlySet<string> | undefined): ReturnType<typeof buildPlan> =>
    buildPlan({ services, nodeIPs: [], clusterCIDR: '', changed });
  const first = input([c, a, b], undefined);
  assert.deepEqual(first.services.map((s) => s.svc.key.name), ['a', 'b', 'c']);

  // b's state object is replaced and reported: only b is planned again, a and c are the same objects.
  const b2 = { svc: b.svc, endpoints: [ep('10.0.0.9')] };
  const second = input([c, a, b2], new Set(['default/b:http/tcp']));
  assert.deepEqual(second.services.map((s) => s.allEndpoints[0]?.ip), ['10.0.0.1', '10.0.0.9', '10.0.0.3']);
  assert.equal(second.services[0], first.services[0]);
  assert.equal(second.services[2], first.services[2]);
  assert.notEqual(second.services[1], first.services[1]);
  // A state object reported as changed is planned again even when it is the same object.
  b2.endpoints = [ep('10.0.0.8')];
  assert.equal(input([c, a, b2], new Set(['default/b:http/tcp'])).services[1]?.allEndpoints[0]?.ip, '10.0.0.8');

  // A new service is sorted in; a removed one goes; a full plan plans everything again.
  const a0 = { svc: svcPort({ name: 'a0' }), endpoints: [] };
  const third = input([c, a, b2, a0], new Set(['default/a0:http/tcp']));
  assert.deepEqual(third.services.map((s) => s.svc.key.name), ['a0', 'a', 'b', 'c'], 'by key: "default/a0:" < "default/a:"');
  assert.deepEqual(input([c, b2], new Set(['default/a:http/tcp', 'default/a0:http/tcp'])).services.map((s) => s.svc.key.name), ['b', 'c']);
  const full = input([c, a, b2], undefined);
  assert.notEqual(full.services[0], first.services[0]);
  assert.deepEqual(full.services.map((s) => s.svc.key.name), ['a', 'b', 'c']);
});
