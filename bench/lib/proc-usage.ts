// A process's memory and CPU from /proc, for the footprint lines of the benchmarks.
import { readFile } from 'node:fs/promises';
import { runChecked, systemExec } from '../../src/base/exec.js';

/** VmRSS from /proc/<pid>/status text, in bytes; NaN when absent. */
export function parseVmRss(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]) * 1024;
}

/**
 * utime + stime (fields 14 and 15) from /proc/<pid>/stat text, in clock ticks. The command name
 * (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function parseCpuTicks(statText: string): number {
  const rest = statText.slice(statText.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : Number.NaN;
}

/** RssAnon and RssFile (bytes) from /proc/<pid>/smaps_rollup text: heap versus the mapped binary. */
export function parseRssSplit(smapsRollup: string): { anon: number; file: number } {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(smapsRollup);
    return m?.[1] === undefined ? Number.NaN : Number(m[1]) * 1024;
  };
  return { anon: field('Anonymous'), file: field('Rss') - field('Anonymous') };
}

export async function readRssSplit(pid: number): Promise<{ anon: number; file: number }> {
  return parseRssSplit(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
}

export async function readRssBytes(pid: number): Promise<number> {
  return parseVmRss(await readFile(`/proc/${pid}/status`, 'utf8'));
}

export async function readCpuTicks(pid: number): Promise<number> {
  return parseCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

let ticksPerSecond: number | undefined;

/** The kernel's USER_HZ (getconf CLK_TCK), normally 100. */
export async function clockTicksPerSecond(): Promise<number> {
  if (ticksPerSecond === undefined) {
    const n = Number((await runChecked(systemExec, 'getconf', ['CLK_TCK'])).stdout.trim());
    ticksPerSecond = Number.isInteger(n) && n > 0 ? n : 100;
  }
  return ticksPerSecond;
}

/** The share of one core (0..n) the process used over `seconds`, from its utime + stime. */
export async function measureCpuShare(pid: number, seconds: number, sleep: (ms: number) => Promise<void>): Promise<number> {
  const hz = await clockTicksPerSecond();
  const t0 = performance.now();
  const before = await readCpuTicks(pid);
  await sleep(seconds * 1000);
  const after = await readCpuTicks(pid);
  const elapsed = (performance.now() - t0) / 1000;
  return (after - before) / hz / elapsed;
}

/**
 * The machine's busy time from /proc/stat's `cpu` line, in clock ticks: user + nice + system +
 * irq + softirq, summed over all cores (idle, iowait and steal, time the host gave elsewhere,
 * left out).
 */
export function parseBusyTicks(statText: string): number {
  const line = /^cpu\s+(.*)$/m.exec(statText)?.[1];
  if (line === undefined) return Number.NaN;
  const [user, nice, system, , , irq, softirq] = line.trim().split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq].reduce<number>((a, b) => a + (b ?? Number.NaN), 0);
}

export async function readMachineBusyTicks(): Promise<number> {
  return parseBusyTicks(await readFile('/proc/stat', 'utf8'));
}
