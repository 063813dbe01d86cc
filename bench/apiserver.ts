// bench/apiserver: hollow nodes against `nodelet apiserver`, on SQLite and on etcd side by side.
// Each hollow node renews its Lease every 10 s (PUT, as kubelet does with its cached lease) and
// patches its Node status every 30 s; watchers follow leases and nodes. Prints sustained
// requests/s and p50/p99 latency per verb for each backend.
//
//   node dist/bench/apiserver.js [--nodes 1000] [--seconds 60] [--watchers 50] [--backends sqlite,etcd]
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createTempDir, type TempDir } from '../test/harness/tmp.js';
import { startEtcd } from '../test/harness/etcd.js';
import { freePort } from '../test/harness/etcd.js';
import { startDaemon, type Daemon } from '../test/harness/process.js';
import { PROJECT_ROOT } from '../test/harness/paths.js';
import { isJsonObject, type JsonValue } from '../src/api/object.js';
import { clientFromKubeconfig, type KubeClient } from './lib/kube-client.js';
import { ms, percentile } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '60' },
    watchers: { type: 'string', default: '50' },
    backends: { type: 'string', default: 'sqlite,etcd' },
  },
});
const NODES = Number(values.nodes);
const SECONDS = Number(values.seconds);
const WATCHERS = Number(values.watchers);
const LEASE_PERIOD_MS = 10_000;
const STATUS_PERIOD_MS = 30_000;

async function startApiserver(tmp: TempDir, etcdEndpoint?: string): Promise<{ daemon: Daemon; kubeconfig: string }> {
  const port = await freePort();
  const kubeconfig = tmp.join('admin.kubeconfig');
  const args = [
    path.join(PROJECT_ROOT, 'dist/src/cli.js'),
    'apiserver',
    '--data-dir', tmp.join('apiserver'),
    '--secure-port', String(port),
    '--bind-address', '127.0.0.1',
    '--advertise-address', '127.0.0.1',
    '--write-kubeconfig', kubeconfig,
    '--log-level', 'warn',
    ...(etcdEndpoint === undefined ? [] : ['--etcd-servers', etcdEndpoint]),
  ];
  const daemon = await startDaemon({
    name: 'apiserver',
    file: process.execPath,
    args,
    logFile: tmp.join('apiserver.log'),
    ready: () => Promise.resolve(existsSync(kubeconfig)),
  });
  return { daemon, kubeconfig };
}

class Recorder {
  private readonly samples = new Map<string, number[]>();
  errors = 0;
  async time<T>(verb: string, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const out = await fn();
    const list = this.samples.get(verb) ?? [];
    list.push(performance.now() - t0);
    this.samples.set(verb, list);
    return out;
  }
  report(seconds: number): string[] {
    const lines: string[] = [];
    let total = 0;
    for (const [verb, list] of [...this.samples].sort()) {
      total += list.length;
      lines.push(`    ${verb.padEnd(22)} n=${String(list.length).padStart(6)}  p50 ${ms(percentile(list, 50)).padStart(9)}  p99 ${ms(percentile(list, 99)).padStart(9)}`);
    }
    lines.unshift(`    sustained ${(total / seconds).toFixed(1)} requests/s, ${this.errors} errors`);
    return lines;
  }
}

const rv = (obj: JsonValue | undefined): string | undefined => {
  const meta = isJsonObject(obj) ? obj.metadata : undefined;
  const v = isJsonObject(meta) ? meta.resourceVersion : undefined;
  return typeof v === 'string' ? v : undefined;
};

async function hollowNodes(client: KubeClient, rec: Recorder, signal: AbortSignal): Promise<void> {
  const leasePath = (n: string): string => `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n}`;
  const names = Array.from({ length: NODES }, (_, i) => `hollow-${i}`);
  const leases = new Map<string, JsonValue>();
  // Register: Node + Lease each, 50 at a time.
  for (let i = 0; i < names.length; i += 50) {
    await Promise.all(
      names.slice(i, i + 50).map(async (name) => {
        const node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } };
        const res = await rec.time('create node', () => client.request('POST', '/api/v1/nodes', node));
        if (res.status !== 201) rec.errors++;
        const lease = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name, namespace: 'kube-node-lease' },
          spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
        };
        const lr = await rec.time('create lease', () => client.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease));
        if (lr.status !== 201 || lr.body === undefined) rec.errors++;
        else leases.set(name, lr.body);
      }),
    );
  }
  const renew = async (name: string): Promise<void> => {
    const cur = leases.get(name);
    if (!isJsonObject(cur) || !isJsonObject(cur.spec)) return;
    const next = { ...cur, spec: { ...cur.spec, renewTime: new Date().toISOString().replace('Z', '000Z') } };
    let res = await rec.time('update lease', () => client.request('PUT', leasePath(name), next));
    if (res.status === 409) {
      res = await rec.time('get lease', () => client.request('GET', leasePath(name)));
    }
    if (res.status === 200 && res.body !== undefined && rv(res.body) !== undefined) leases.set(name, res.body);
    else rec.errors++;
  };
  const patchStatus = async (name: string): Promise<void> => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const patch = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now, message: 'hollow' }] } };
    const res = await rec.time('patch node status', () =>
      client.request('PATCH', `/api/v1/nodes/${name}/status`, patch, 'application/strategic-merge-patch+json'),
    );
    if (res.status !== 200) rec.errors++;
  };
  // Spread every node's timers evenly over the period, as real nodes start at random times.
  const timers: NodeJS.Timeout[] = [];
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    const q = p.catch(() => void rec.errors++).finally(() => inflight.delete(q));
    inflight.add(q);
  };
  names.forEach((name, i) => {
    timers.push(
      setTimeout(() => {
        track(renew(name));
        timers.push(setInterval(() => track(renew(name)), LEASE_PERIOD_MS));
      }, (i / NODES) * LEASE_PERIOD_MS),
      setTimeout(() => {
        track(patchStatus(name));
        timers.push(setInterval(() => track(patchStatus(name)), STATUS_PERIOD_MS));
      }, (i / NODES) * STATUS_PERIOD_MS),
    );
  });
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  for (const t of timers) clearTimeout(t);
  await Promise.all(inflight);
}

async function runBackend(backend: 'sqlite' | 'etcd'): Promise<string[]> {
  const tmp = await createTempDir();
  const stops: (() => Promise<void>)[] = [];
  try {
    let etcdEndpoint: string | undefined;
    if (backend === 'etcd') {
      const etcd = await startEtcd({ tmp });
      stops.push(() => etcd.dispose());
      etcdEndpoint = etcd.endpoint;
    }
    const api = await startApiserver(tmp, etcdEndpoint);
    stops.push(() => api.daemon.stop());
    const client = await clientFromKubeconfig(api.kubeconfig, 256);
    stops.push(() => Promise.resolve(client.close()));
    const rec = new Recorder();
    const watchAbort = new AbortController();
    let events = 0;
    const watchers = Array.from({ length: WATCHERS }, (_, i) =>
      client
        .watch(i % 2 === 0 ? '/apis/coordination.k8s.io/v1/leases?watch=1' : '/api/v1/nodes?watch=1', () => void events++, watchAbort.signal)
        .catch(() => void rec.errors++),
    );
    const setupStart = performance.now();
    const load = new AbortController();
    const running = hollowNodes(client, rec, load.signal);
    // Registration is part of the run; the steady state is what the period after it measures.
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    load.abort();
    await running;
    const elapsed = (performance.now() - setupStart) / 1000;
    watchAbort.abort();
    await Promise.all(watchers);
    return [`  ${backend}: ${NODES} hollow nodes, ${WATCHERS} watchers, ${elapsed.toFixed(0)} s, ${events} watch events delivered`, ...rec.report(elapsed)];
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await tmp.dispose();
  }
}

const backends = (values.backends ?? '').split(',').filter((b): b is 'sqlite' | 'etcd' => b === 'sqlite' || b === 'etcd');
const out: string[] = [`apiserver bench: lease renewals every ${LEASE_PERIOD_MS / 1000} s, node status every ${STATUS_PERIOD_MS / 1000} s`];
for (const b of backends) out.push(...(await runBackend(b)));
console.log(out.join('\n'));
