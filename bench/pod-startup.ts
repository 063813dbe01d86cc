// bench/pod-startup: how long the agent takes from a pod's create to its Ready, against the
// runtime floor (the same pods started straight through CRI), and the agent's footprint.
//
//   node dist/bench/pod-startup.js [--sizes 1,10,30] [--repeat 10] [--idle-seconds 30]
//
// For each size N, N busybox `sleep 3600` pods are created at once (image present, bound to the
// node: no scheduler needed), each timed from its create being sent to a watch event showing it
// Ready; the floor is RunPodSandbox + CreateContainer + StartContainer of the same N pods at once,
// with the CRI configs the agent's own builder makes for them, while the agent and the apiserver
// are stopped (SIGSTOP); floor and agent rounds alternate. With the largest N
// running, the agent's RSS (VmRSS, sampled every second over --idle-seconds: the highest sample is
// the figure, as the heap saws up and down between collections) and CPU (utime + stime over
// --idle-seconds) are read from /proc.
// The agent's own CPU time per round (utime + stime, create -> all Ready) is printed too: unlike
// the latencies it hardly depends on what else the machine is doing.
// Targets (the issue): overhead over the floor < 150 ms for 1 pod (p50), < 10 % at 30 pods (p99,
// i.e. the whole batch); RSS < 100 MiB; idle CPU < 3 % of a core. The 30-pod overhead is printed
// two ways: p99 over all rounds pooled, and the median over rounds of each agent round's p99 against
// the floor round run just before it (these VMs' speed drifts by 20 % from round to round, which
// the pooled figure takes for agent overhead whenever a slow spell falls on an agent round).
// Everything runs in a harness test node: containerd, apiserver and agent in its netns.
import { parseArgs } from 'node:util';
import { removeEmptyCgroups } from './lib/cgroup-cleanup.js';
import { systemClock } from '../src/base/clock.js';
import { errorMessage } from '../src/base/errors.js';
import { CriClient } from '../src/cri/client.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from '../test/harness/images.js';
import { startTestNode } from '../test/harness/testnode.js';
import { startBenchCluster } from './lib/bench-cluster.js';
import { floorPodFactory } from './lib/floor-pods.js';
import { agentRound, cleanAgentRound, floorRound } from './lib/pod-rounds.js';
import { clockTicksPerSecond, measureCpuShare, readCpuTicks, readMachineBusyTicks, readRssBytes, readRssSplit } from './lib/proc-usage.js';
import { ms, percentile } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,10,30' },
    // A 30-pod round's p99 is its slowest pod, and single round pairs range from -10 % to +27 %:
    // with 5 rounds the median's spread (about 4-5 points) was half the 10 % target.
    repeat: { type: 'string', default: '10' },
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
const NODE_NAME = 'bench-node';

interface SizeResult {
  n: number;
  floor: number[];
  agent: number[];
  /** CPU ticks (utime + stime) per round, create -> all Ready, of the agent, the apiserver and containerd. */
  agentCpu: number[];
  apiserverCpu: number[];
  runtimeCpu: number[];
  /** containerd's CPU ticks per floor round (the same pods, no agent), starts only. */
  floorRuntimeCpu: number[];
  /** The whole machine's busy ticks (all cores) per round: agent rounds, floor rounds. */
  machineCpu: number[];
  floorMachineCpu: number[];
  /** This process's CPU (the bench client) plus the relay's, per agent round; this process's per floor round. In seconds. */
  clientCpu: number[];
  floorClientCpu: number[];
  /** Each round's own p99 (for 30 pods, its slowest pod), agent round i paired with floor round i. */
  floorRoundP99: number[];
  agentRoundP99: number[];
}

function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

/** Per round pair, (agent round p99 / floor round p99 - 1) in percent. */
function pairedOverheads(r: SizeResult): number[] {
  return r.agentRoundP99.map((a, i) => (a / (r.floorRoundP99[i] ?? Number.NaN) - 1) * 100);
}

/** Runs `fn` with the processes stopped (SIGSTOP), continuing them (SIGCONT) however it ends. */
async function whileStopped<T>(pids: number[], fn: () => Promise<T>): Promise<T> {
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    for (const pid of pids) process.kill(pid, 'SIGCONT');
  }
}

const node = await startTestNode();
let failed = false;
try {
  const cri = node.add(new CriClient({ endpoint: node.containerd.socketPath }));
  await cri.pullImage(PAUSE_IMAGE.ref);
  await cri.pullImage(BUSYBOX_IMAGE.ref);
  const version = await cri.version();

  // The floor uses the agent's own CRI configs for the same pods. Floor and agent rounds alternate,
  // so a slow spell of the machine (these are VMs on shared hosts) weighs on both alike; during a
  // floor round the agent and the apiserver are stopped (SIGSTOP): they use no CPU and the agent
  // cannot take the floor's pods for orphans (they carry its labels) until they are removed.
  const imageRef = (await cri.imageStatus(BUSYBOX_IMAGE.ref))?.id ?? BUSYBOX_IMAGE.ref;
  const floorPods = await floorPodFactory({ nodeName: NODE_NAME, podLogsDir: node.tmp.join('floor-logs') });
  const hz = await clockTicksPerSecond();
  const results: SizeResult[] = sizes.map((n) => ({ n, floor: [], agent: [], agentCpu: [], apiserverCpu: [], runtimeCpu: [], floorRuntimeCpu: [], machineCpu: [], floorMachineCpu: [], clientCpu: [], floorClientCpu: [], floorRoundP99: [], agentRoundP99: [] }));
  const cluster = await startBenchCluster(node, { nodeName: NODE_NAME, agentLogLevel: 'warn' });
  // The bench client opens a keep-alive TLS connection per concurrent request. Open them now, so
  // the first round of each size does not pay ~20 TLS handshakes (client and apiserver) that a
  // steady client (kubectl, client-go over one HTTP/2 connection) never pays per pod.
  await Promise.all(Array.from({ length: largest }, () => cluster.client.request('GET', '/api/v1/namespaces/default/pods?limit=1')));
  const floorOnce = async (r: SizeResult, i: number): Promise<void> => {
    const [before, busyBefore] = await Promise.all([readCpuTicks(node.containerd.daemon.pid), readMachineBusyTicks()]);
    const selfBefore = process.cpuUsage();
    const round = await floorRound(cri, { n: r.n, round: `floor-${r.n}-${i}`, pods: floorPods, imageRef });
    r.floorClientCpu.push(cpuSeconds(process.cpuUsage(selfBefore)));
    const [after, busyAfter] = await Promise.all([readCpuTicks(node.containerd.daemon.pid), readMachineBusyTicks()]);
    r.floor.push(...round.latencies);
    r.floorRoundP99.push(percentile(round.latencies, 99));
    r.floorRuntimeCpu.push(after - before);
    r.floorMachineCpu.push(busyAfter - busyBefore);
    await round.remove();
  };
  let rss = Number.NaN;
  let rssLow = Number.NaN;
  let split = { anon: Number.NaN, file: Number.NaN };
  let cpu = Number.NaN;
  try {
    for (const r of results) {
      for (let i = 0; i < repeat; i++) {
        await whileStopped([cluster.agent.pid, cluster.apiserver.pid], () => floorOnce(r, i));
        const round = `ps-${r.n}-${i}`;
        const pids = [cluster.agent.pid, cluster.apiserver.pid, node.containerd.daemon.pid, cluster.relayPid];
        const [ticks, busyBefore] = await Promise.all([Promise.all(pids.map(readCpuTicks)), readMachineBusyTicks()]);
        const selfBefore = process.cpuUsage();
        const latencies = await agentRound(cluster.client, { n: r.n, round, nodeName: cluster.nodeName, timeoutMs: ROUND_TIMEOUT_MS });
        const self = cpuSeconds(process.cpuUsage(selfBefore));
        r.agent.push(...latencies);
        r.agentRoundP99.push(percentile(latencies, 99));
        const [ticksAfter, busyAfter] = await Promise.all([Promise.all(pids.map(readCpuTicks)), readMachineBusyTicks()]);
        const used = ticksAfter.map((t, k) => t - (ticks[k] ?? Number.NaN));
        r.machineCpu.push(busyAfter - busyBefore);
        r.agentCpu.push(used[0] ?? Number.NaN);
        r.apiserverCpu.push(used[1] ?? Number.NaN);
        r.runtimeCpu.push(used[2] ?? Number.NaN);
        r.clientCpu.push(self + (used[3] ?? Number.NaN) / hz);
        if (r.n === largest && i === repeat - 1) {
          // Let status updates and the first relists settle, then measure the steady state.
          await systemClock.sleep(10_000);
          const pid = cluster.agent.pid;
          const samples: { rss: number; split: { anon: number; file: number } }[] = [];
          const sample = async (): Promise<void> => {
            samples.push({ rss: await readRssBytes(pid), split: await readRssSplit(pid) });
          };
          await sample();
          const sampler = setInterval(() => void sample().catch(() => undefined), 1000);
          try {
            cpu = await measureCpuShare(pid, idleSeconds, (t) => systemClock.sleep(t));
          } finally {
            clearInterval(sampler);
          }
          const highest = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
          rss = highest.rss;
          split = highest.split;
          rssLow = Math.min(...samples.map((x) => x.rss));
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
  console.log(`  ${'pods'.padStart(4)}  ${'floor p50'.padStart(10)}  ${'floor p99'.padStart(10)}  ${'agent p50'.padStart(10)}  ${'agent p99'.padStart(10)}  ${'over p50'.padStart(10)}  ${'over p99'.padStart(10)}  ${'agent cpu/round'.padStart(16)}`);
  for (const r of results) {
    const [fp50, fp99, ap50, ap99] = [percentile(r.floor, 50), percentile(r.floor, 99), percentile(r.agent, 50), percentile(r.agent, 99)];
    const cpu = `${(percentile(r.agentCpu, 50) / hz).toFixed(2)} s`;
    console.log(`  ${String(r.n).padStart(4)}  ${ms(fp50).padStart(10)}  ${ms(fp99).padStart(10)}  ${ms(ap50).padStart(10)}  ${ms(ap99).padStart(10)}  ${ms(ap50 - fp50).padStart(10)}  ${ms(ap99 - fp99).padStart(10)}  ${cpu.padStart(16)}`);
  }
  const secs = (ticks: number[]): string => ticks.map((t) => (t / hz).toFixed(2)).join('/');
  console.log("  cpu/round: utime + stime (s) from the first create to the last pod Ready, each round's:");
  for (const r of results) {
    console.log(`    ${String(r.n).padStart(4)} pods: agent ${secs(r.agentCpu)}, apiserver ${secs(r.apiserverCpu)}, containerd ${secs(r.runtimeCpu)} (floor rounds: ${secs(r.floorRuntimeCpu)})`);
    console.log(`          whole machine, all cores: ${secs(r.machineCpu)} (floor rounds: ${secs(r.floorMachineCpu)})`);
    console.log(`          bench client and its netns relay: ${r.clientCpu.map((x) => x.toFixed(2)).join('/')} (floor rounds, client: ${r.floorClientCpu.map((x) => x.toFixed(2)).join('/')})`);
  }
  console.log('  p99 overhead of each agent round over the floor round just before it (paired: a slow spell of the host hits both):');
  for (const r of results) console.log(`    ${String(r.n).padStart(4)} pods: ${pairedOverheads(r).map((x) => `${x.toFixed(1)} %`).join(', ')}; median ${percentile(pairedOverheads(r), 50).toFixed(1)} %`);
  const verdict = (value: number, limit: number): string => (Number.isNaN(value) ? 'n/a' : value < limit ? 'ok' : 'MISSED');
  const one = results.find((r) => r.n === 1);
  const thirty = results.find((r) => r.n === 30);
  const overOne = one === undefined ? Number.NaN : percentile(one.agent, 50) - percentile(one.floor, 50);
  const overThirty = thirty === undefined ? Number.NaN : (percentile(thirty.agent, 99) / percentile(thirty.floor, 99) - 1) * 100;
  console.log('  targets:');
  console.log(`    overhead, 1 pod (p50)              ${ms(overOne).padStart(10)}  < 150 ms    ${verdict(overOne, 150)}`);
  const pairedThirty = thirty === undefined ? Number.NaN : percentile(pairedOverheads(thirty), 50);
  console.log(`    overhead, 30 pods (p99, all rounds) ${`${overThirty.toFixed(1)} %`.padStart(9)}  < 10 %      ${verdict(overThirty, 10)}`);
  console.log(`    overhead, 30 pods (p99, paired)     ${`${pairedThirty.toFixed(1)} %`.padStart(9)}  < 10 %      ${verdict(pairedThirty, 10)}`);
  console.log(`    agent RSS, ${largest} pods running        ${`${(rss / MIB).toFixed(1)} MiB`.padStart(10)}  < 100 MiB   ${verdict(rss / MIB, 100)}`);
  console.log(`      (highest of 1 s samples over ${idleSeconds} s, lowest ${(rssLow / MIB).toFixed(1)} MiB; at the highest: anonymous ${(split.anon / MIB).toFixed(1)} MiB, file-backed ${(split.file / MIB).toFixed(1)} MiB)`);
  console.log(`    agent CPU, ${largest} pods, ${idleSeconds} s idle       ${`${(cpu * 100).toFixed(2)} %`.padStart(10)}  < 3 % core  ${verdict(cpu * 100, 3)}`);
} finally {
  await node.dispose();
  await removeEmptyCgroups('k8s.io');
}
if (failed) process.exitCode = 1;
