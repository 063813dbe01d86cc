// The proxy core against the real `nodelet apiserver` (SQLite): Services and EndpointSlices created
// through the KubeClient reach the informers, the tracker and the proxier, whose plans a recording
// backend keeps (no kernel). The first sync is full; each later change is a partial sync naming
// exactly the changed service port; healthz answers 200 once synced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import winston from 'winston';
import { loadKubeconfig } from '../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../src/api/client/types.js';
import type { KubeObject } from '../../../src/api/object.js';
import { systemClock } from '../../../src/base/clock.js';
import type { Exec, ExecResult } from '../../../src/base/exec.js';
import { loadProxyConfig } from '../../../src/proxy/config.js';
import { runProxy } from '../../../src/proxy/main.js';
import { ProxierHealth, startHealthzServer, type HttpEndpoint } from '../../../src/proxy/healthz.js';
import { ProxyMetrics } from '../../../src/proxy/metrics.js';
import { Proxier } from '../../../src/proxy/proxier.js';
import { createProxyInformers, type ProxyInformers } from '../../../src/proxy/tracker/informers.js';
import { ProxyTracker } from '../../../src/proxy/tracker/tracker.js';
import type { ProxyPlan, RuleBackend } from '../../../src/proxy/types.js';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';

const log = winston.createLogger({ silent: true });
const NS = '/api/v1/namespaces/default';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';

class RecordingBackend implements RuleBackend {
  readonly mode = 'iptables' as const;
  readonly plans: ProxyPlan[] = [];
  render(plan: ProxyPlan): string {
    this.plans.push(plan);
    return '';
  }
  apply(): Promise<void> {
    return Promise.resolve();
  }
  cleanup(): Promise<void> {
    return Promise.resolve();
  }
  canaryPresent(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

class RecordingExec implements Exec {
  readonly calls: string[][] = [];
  run(file: string, args: readonly string[]): Promise<ExecResult> {
    this.calls.push([file, ...args]);
    return Promise.resolve({ stdout: '', stderr: '', code: 0, signal: null });
  }
}

/** Waits (bounded) until `check` returns a value; not a timing assertion, only a deadline. */
async function waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

async function httpStatus(port: number, path: string): Promise<number> {
  return (await httpGet(port, path)).status;
}

function service(name: string, ports: Array<{ name: string; port: number; protocol?: string }>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports, ...extra } } as KubeObject;
}

function endpointSlice(name: string, svc: string, ips: string[], port: { name: string; port: number; protocol?: string }, nodeName = 'node-a'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': 'test.nodelet.io' } },
    addressType: 'IPv4',
    ports: [port],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName })),
  } as unknown as KubeObject;
}

let apiserver: RunningApiserver;
let client: KubeClient;
let informers: ProxyInformers | undefined;
let proxier: Proxier | undefined;
let healthz: HttpEndpoint | undefined;

before(async () => {
  apiserver = await startApiserver('sqlite');
  client = createKubeClient({ credentials: await loadKubeconfig(apiserver.kubeconfig), userAgent: 'proxy-core-test' });
});

after(async () => {
  await proxier?.dispose();
  await informers?.dispose();
  await healthz?.dispose();
  client?.close();
  await apiserver?.stop();
});

test('services and slices from the apiserver become a full plan, then partial plans naming the changed keys', async () => {
  const web = await client.create(`${NS}/services`, service('web', [{ name: 'http', port: 80 }]));
  const webIP = String((web.spec as { clusterIP?: unknown } | undefined)?.clusterIP);
  await client.create(SLICES, endpointSlice('web-1', 'web', ['10.244.0.2', '10.244.0.3'], { name: 'http', port: 8080, protocol: 'TCP' }));
  const dns = await client.create(`${NS}/services`, service('dns', [{ name: 'dns', port: 53, protocol: 'UDP' }]));
  const dnsIP = String((dns.spec as { clusterIP?: unknown } | undefined)?.clusterIP);

  const backend = new RecordingBackend();
  const exec = new RecordingExec();
  const health = new ProxierHealth({ clock: systemClock, timeoutMs: 60_000 });
  healthz = await startHealthzServer({ bindAddress: '127.0.0.1:0', health, log });
  const tracker = new ProxyTracker({ nodeName: 'node-a', onChange: () => p.requestSync(), startTimeMs: Date.now() });
  informers = createProxyInformers({ client, clock: systemClock, log, tracker });
  const p = new Proxier(
    { backend, exec, clock: systemClock, log, metrics: new ProxyMetrics('iptables'), source: tracker, health },
    { nodeIPs: ['192.168.50.2'], clusterCIDR: '10.244.0.0/16', minSyncPeriodMs: 50, syncPeriodMs: 600_000 },
  );
  proxier = p;
  informers.start();
  await informers.waitForSync();
  proxier.start();

  // 1. the first sync is full and has both services
  const first = await waitFor('the first sync', () => backend.plans[0]);
  assert.equal(first.changed, undefined);
  assert.deepEqual(first.services.map((s) => s.svc.key.name), ['dns', 'kubernetes', 'web']); // the apiserver's own service too
  const webPlan = first.services.find((s) => s.svc.key.name === 'web');
  assert.equal(webPlan?.svc.clusterIP, webIP);
  assert.deepEqual(webPlan?.allEndpoints.map((e) => `${e.ip}:${e.port}:${e.isLocal}`), ['10.244.0.2:8080:true', '10.244.0.3:8080:true']);
  assert.equal(first.services.find((s) => s.svc.key.name === 'dns')?.noEndpoints, true);
  assert.equal(await httpStatus(healthz.port, '/healthz'), 200);

  // 2. an endpoint goes away: a partial sync for web only
  let seen = backend.plans.length;
  const slice = await client.get(`${SLICES}/web-1`);
  await client.update(`${SLICES}/web-1`, { ...endpointSlice('web-1', 'web', ['10.244.0.3'], { name: 'http', port: 8080, protocol: 'TCP' }), metadata: slice.metadata });
  let plan = await waitFor('the web change', () => backend.plans[seen]);
  assert.deepEqual([...(plan.changed ?? ['full'])], ['default/web:http/tcp']);
  assert.deepEqual(plan.services.find((s) => s.svc.key.name === 'web')?.allEndpoints.map((e) => e.ip), ['10.244.0.3']);

  // 3. the UDP service gets its first endpoint: a partial sync for dns, stale flows to its IP cleared
  seen = backend.plans.length;
  await client.create(SLICES, endpointSlice('dns-1', 'dns', ['10.244.1.5'], { name: 'dns', port: 5353, protocol: 'UDP' }, 'node-b'));
  plan = await waitFor('the dns change', () => backend.plans[seen]);
  assert.deepEqual([...(plan.changed ?? ['full'])], ['default/dns:dns/udp']);
  const dnsPlan = plan.services.find((s) => s.svc.key.name === 'dns');
  assert.equal(dnsPlan?.noEndpoints, false);
  assert.equal(dnsPlan?.allEndpoints[0]?.isLocal, false);
  await waitFor('conntrack cleanup', () => (exec.calls.length > 0 ? true : undefined));
  assert.deepEqual(exec.calls, [['conntrack', '-D', '--orig-dst', dnsIP, '-p', 'udp']]);

  // 4. a headless service never reaches a plan; the next service on the same watch does
  seen = backend.plans.length;
  await client.create(`${NS}/services`, service('headless', [{ name: 'http', port: 80 }], { clusterIP: 'None' }));
  await client.create(`${NS}/services`, service('api', [{ name: 'https', port: 443 }]));
  plan = await waitFor('the api service', () => backend.plans.slice(seen).find((pl) => pl.changed?.has('default/api:https/tcp') === true));
  assert.ok(backend.plans.every((pl) => pl.services.every((s) => s.svc.key.name !== 'headless') && pl.changed?.has('default/headless:http/tcp') !== true));
  assert.equal(plan.services.find((s) => s.svc.key.name === 'api')?.noEndpoints, true);

  // 5. deleting a service: a partial sync naming it, and it is gone from the plan
  seen = backend.plans.length;
  await client.delete(`${NS}/services/web`);
  plan = await waitFor('the web deletion', () => backend.plans.slice(seen).find((pl) => pl.changed?.has('default/web:http/tcp') === true));
  assert.ok(plan.services.every((s) => s.svc.key.name !== 'web'));
  assert.ok(backend.plans.slice(1).every((pl) => pl.changed !== undefined), 'no full sync after the first');
  assert.equal(await httpStatus(healthz.port, '/livez'), 200);
});

test('runProxy composes config, client, informers, backend and servers (nftables, recorded Exec, no kernel)', async () => {
  const exec = new RecordingExec();
  const config = await loadProxyConfig({
    kubeconfig: apiserver.kubeconfig,
    proxyMode: 'nftables',
    hostnameOverride: 'node-a',
    healthzBindAddress: '127.0.0.1:0',
    metricsBindAddress: '127.0.0.1:0',
    nftablesMinSyncPeriod: '50ms',
    clusterCidr: '10.244.0.0/16',
  });
  const running = await runProxy(config, log, { exec });
  try {
    const applied = (): boolean => exec.calls.some((c) => c[0] === 'nft' && c.includes('-f'));
    await waitFor('the first nft transaction', () => (applied() ? true : undefined));
    assert.ok(exec.calls.some((c) => c[0]?.startsWith('iptables') === true), 'the other mode\'s rules are cleaned up at start');
    const healthzPort = running.healthzPort;
    const metricsPort = running.metricsPort;
    assert.ok(healthzPort !== undefined && metricsPort !== undefined);
    assert.equal(await httpStatus(healthzPort, '/healthz'), 200);
    let body = '';
    for (let i = 0; i < 500 && !/^kubeproxy_sync_full_proxy_rules_duration_seconds_count [1-9]/m.test(body); i++) {
      body = (await httpGet(metricsPort, '/metrics')).body;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(body, /^kubeproxy_sync_full_proxy_rules_duration_seconds_count [1-9]/m);
    assert.match(body, /^kubeproxy_sync_proxy_rules_nftables_sync_failures_total 0$/m);
    assert.equal((await httpGet(metricsPort, '/proxyMode')).body, 'nftables');
  } finally {
    await running.stop();
  }
});
