// bench/pod-startup: how long the agent takes from a pod's create to its Ready, against the
// runtime floor (the same pods started straight through CRI), and the agent's footprint.
//
//   node dist/bench/pod-startup.js [--sizes 1,10,30] [--repeat 3] [--idle-seconds 30]
//
// For each size N, N busybox `sleep 3600` pods are created at once (image present, bound to the
// node: no scheduler needed), each timed from its create being sent to a watch event showing it
// Ready; the floor is RunPodSandbox + CreateContainer + StartContainer of the same N pods at once,
// before the agent starts (it would otherwise remove pods it does not know). With the largest N
// running, the agent's RSS (VmRSS) and CPU (utime + stime over --idle-seconds) are read from /proc.
// Targets (the issue): overhead over the floor < 150 ms for 1 pod (p50), < 10 % at 30 pods (p99,
// i.e. the whole batch); RSS < 100 MiB; idle CPU < 3 % of a core.
// Everything runs in a harness test node: containerd, apiserver and agent in its netns.
import { parseArgs } from 'node:util';
import { removeEmptyCgroups } from './lib/cgroup-cleanup.js';
import { systemClock } from '../src/base/clock.js';
import { errorMessage } from '../src/base/errors.js';
import { CriClient } from '../src/cri/client.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from '../test/harness/images.js';
import { startTestNode } from '../test/harness/testnode.js';
import { startBenchCluster } from './lib/bench-cluster.js';
import { agentRound, cleanAgentRound, floorRound } from './lib/pod-rounds.js';
import { measureCpuShare, readRssBytes } from './lib/proc-usage.js';
import { ms, percentile } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,10,30' },
    repeat: { type: 'string', default: '3' },
    'idle-seconds': { type: 'string', default: '30' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const repeat = Number(values.repeat);
const idleSeconds = Number(values['idle-seconds']);
if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 110)) throw new Error('--sizes takes whole numbers from 1 to 110, comma-separated');
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new Error('--repeat takes a whole number from 1 to 20');
if (!Number.isFinite(idleSeconds) || idleSeconds < 1 || idleSeconds > 600) throw new Error('--idle-seconds takes a number from 1 to 600');
const largest = Math.max(...sizes);
const ROUND_TIMEOUT_MS = 180_000;
const MIB = 1024 * 1024;

interface SizeResult {
  n: number;
  floor: number[];
  agent: number[];
}

const node = await startTestNode();
let failed = false;
try {
  const cri = node.add(new CriClient({ endpoint: node.containerd.socketPath }));
  await cri.pullImage(PAUSE_IMAGE.ref);
  await cri.pullImage(BUSYBOX_IMAGE.ref);
  const version = await cri.version();

  // 1. The floor, before the agent exists.
  const results: SizeResult[] = sizes.map((n) => ({ n, floor: [], agent: [] }));
  for (const r of results) {
    for (let i = 0; i < repeat; i++) {
      r.floor.push(...(await floorRound(cri, { n: r.n, round: `floor-${r.n}-${i}`, logRoot: node.tmp.join('floor-logs'), cgroupParent: node.cgroupParent })));
    }
  }

  // 2. The agent.
  const cluster = await startBenchCluster(node, { nodeName: 'bench-node', agentLogLevel: 'warn' });
  let rss = Number.NaN;
  let cpu = Number.NaN;
  try {
    for (const r of results) {
      for (let i = 0; i < repeat; i++) {
        const round = `ps-${r.n}-${i}`;
        r.agent.push(...(await agentRound(cluster.client, { n: r.n, round, nodeName: cluster.nodeName, timeoutMs: ROUND_TIMEOUT_MS })));
        if (r.n === largest && i === repeat - 1) {
          // Let status updates and the first relists settle, then measure the steady state.
          await systemClock.sleep(10_000);
          rss = await readRssBytes(cluster.agent.pid);
          cpu = await measureCpuShare(cluster.agent.pid, idleSeconds, (t) => systemClock.sleep(t));
        }
        await cleanAgentRound(cluster.client, cri, round);
      }
    }
  } catch (err) {
    failed = true;
    console.error(`pod-startup: ${errorMessage(err)}\nthe agent's log ends with:\n${cluster.agent.logTail(40)}`);
  }

  // 3. The table.
  console.log(`pod-startup: ${version.runtimeName} ${version.runtimeVersion}; busybox sleep pods, image present; ${repeat} round(s) per size`);
  console.log(`  ${'pods'.padStart(4)}  ${'floor p50'.padStart(10)}  ${'floor p99'.padStart(10)}  ${'agent p50'.padStart(10)}  ${'agent p99'.padStart(10)}  ${'over p50'.padStart(10)}  ${'over p99'.padStart(10)}`);
  for (const r of results) {
    const [fp50, fp99, ap50, ap99] = [percentile(r.floor, 50), percentile(r.floor, 99), percentile(r.agent, 50), percentile(r.agent, 99)];
    console.log(`  ${String(r.n).padStart(4)}  ${ms(fp50).padStart(10)}  ${ms(fp99).padStart(10)}  ${ms(ap50).padStart(10)}  ${ms(ap99).padStart(10)}  ${ms(ap50 - fp50).padStart(10)}  ${ms(ap99 - fp99).padStart(10)}`);
  }
  const verdict = (value: number, limit: number): string => (Number.isNaN(value) ? 'n/a' : value < limit ? 'ok' : 'MISSED');
  const one = results.find((r) => r.n === 1);
  const thirty = results.find((r) => r.n === 30);
  const overOne = one === undefined ? Number.NaN : percentile(one.agent, 50) - percentile(one.floor, 50);
  const overThirty = thirty === undefined ? Number.NaN : (percentile(thirty.agent, 99) / percentile(thirty.floor, 99) - 1) * 100;
  console.log('  targets:');
  console.log(`    overhead, 1 pod (p50)              ${ms(overOne).padStart(10)}  < 150 ms    ${verdict(overOne, 150)}`);
  console.log(`    overhead, 30 pods (p99)            ${`${overThirty.toFixed(1)} %`.padStart(10)}  < 10 %      ${verdict(overThirty, 10)}`);
  console.log(`    agent RSS, ${largest} pods running        ${`${(rss / MIB).toFixed(1)} MiB`.padStart(10)}  < 100 MiB   ${verdict(rss / MIB, 100)}`);
  console.log(`    agent CPU, ${largest} pods, ${idleSeconds} s idle       ${`${(cpu * 100).toFixed(2)} %`.padStart(10)}  < 3 % core  ${verdict(cpu * 100, 3)}`);
} finally {
  await node.dispose();
  await removeEmptyCgroups('k8s.io');
}
if (failed) process.exitCode = 1;
