// bench/scheduler: pods bound per second by the scheduler against a real `nodelet apiserver` on
// SQLite, with hollow nodes. Pending pods are created first; then the scheduler starts in this
// process and a watch records when each pod is seen bound. The figure is sustained throughput from
// the first bind seen to the last (plus the time from the scheduler's start to the last bind).
//
//   node dist/bench/scheduler.js [--nodes 100] [--pods 3000] [--target 300]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadKubeconfig } from '../src/api/client/kubeconfig.js';
import { createKubeClient } from '../src/api/client/rest-client.js';
import type { KubeClient } from '../src/api/client/types.js';
import { isJsonObject } from '../src/api/object.js';
import { SchedulerController } from '../src/apiserver/controllers/scheduler/scheduler.js';
import { systemClock } from '../src/base/clock.js';
import { createLogger } from '../src/base/log.js';
import { startApiserver } from '../test/harness/apiserver.js';
import { clockTicksPerSecond, readCpuTicks } from './lib/proc-usage.js';
import { forEachLimit, startHollowNodes } from '../test/harness/hollow-nodes.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    pods: { type: 'string', default: '3000' },
    target: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
  },
});
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const TARGET = Number(values.target);
const NAMESPACE = 'default';

function pendingPod(i: number): { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: object } {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `bench-${i}`, namespace: NAMESPACE },
    spec: { containers: [{ name: 'c', image: 'nodelet.local/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  };
}

/** Watches the namespace's pods from `rv` and records when each is first seen with a node. */
async function watchBinds(client: KubeClient, rv: string, seen: Map<string, number>, signal: AbortSignal, done: () => void): Promise<void> {
  while (!signal.aborted) {
    try {
      for await (const ev of client.watch(`/api/v1/namespaces/${NAMESPACE}/pods`, { resourceVersion: rv, signal, timeoutSeconds: 600 })) {
        rv = ev.object.metadata.resourceVersion ?? rv;
        const node = isJsonObject(ev.object.spec) ? ev.object.spec.nodeName : undefined;
        const name = ev.object.metadata.name ?? '';
        if (typeof node === 'string' && node !== '' && !seen.has(name)) {
          seen.set(name, performance.now());
          if (seen.size >= PODS) done();
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
  }
}

async function main(): Promise<void> {
  const api = await startApiserver('sqlite');
  const log = createLogger({ level: 'warn', format: 'text' });
  const client = createKubeClient({ credentials: await loadKubeconfig(api.kubeconfig), userAgent: 'bench-scheduler' });
  const stop = new AbortController();
  let scheduler: SchedulerController | undefined;
  const nodes = await startHollowNodes(client, { count: NODES, prefix: 'bench-node' });
  try {
    console.log(`apiserver (sqlite) up; ${NODES} hollow nodes registered`);
    const t0 = performance.now();
    await forEachLimit(Array.from({ length: PODS }, (_, i) => i), 32, async (i) => {
      await client.create(`/api/v1/namespaces/${NAMESPACE}/pods`, pendingPod(i) as never);
    });
    console.log(`${PODS} pending pods created in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const list = await client.list(`/api/v1/namespaces/${NAMESPACE}/pods`, { limit: 1 });
    const seen = new Map<string, number>();
    let finish: () => void = () => undefined;
    const allBound = new Promise<void>((resolve) => (finish = resolve));
    const watching = watchBinds(client, list.metadata.resourceVersion, seen, stop.signal, () => finish());

    const hz = await clockTicksPerSecond();
    const apiTicks0 = await readCpuTicks(api.daemon.pid);
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    scheduler = new SchedulerController({ client, clock: systemClock, log }, { concurrency: Number(values.concurrency) });
    scheduler.start();
    const timeout = setTimeout(() => finish(), 600_000);
    await allBound;
    clearTimeout(timeout);
    const apiCpu = (await readCpuTicks(api.daemon.pid) - apiTicks0) / hz;
    const cpu = process.cpuUsage(cpu0);
    const benchCpu = (cpu.user + cpu.system) / 1e6;
    const times = [...seen.values()].sort((a, b) => a - b);
    const first = times[0] ?? start;
    const last = times[times.length - 1] ?? start;
    const sustained = times.length > 1 ? (times.length - 1) / ((last - first) / 1000) : 0;
    const overall = times.length / ((last - start) / 1000);
    console.log(`bound ${times.length}/${PODS} pods; scheduler stats ${JSON.stringify(scheduler.stats)}`);
    console.log(`scheduler start -> first bind seen: ${(first - start).toFixed(0)} ms (informer sync included)`);
    console.log(`sustained: ${sustained.toFixed(0)} pods/s (first to last bind, ${((last - first) / 1000).toFixed(2)} s); overall from start: ${overall.toFixed(0)} pods/s`);
    console.log(`CPU while binding: apiserver ${apiCpu.toFixed(1)} s, bench process (scheduler + watch + leases) ${benchCpu.toFixed(1)} s; load average ${os.loadavg()[0]?.toFixed(1) ?? '?'}`);
    console.log(`target >= ${TARGET} pods/s: ${sustained >= TARGET ? 'MET' : 'NOT MET'}`);
    stop.abort();
    await watching.catch(() => undefined);
  } finally {
    stop.abort();
    await scheduler?.dispose();
    await nodes.dispose();
    client.close();
    await api.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
