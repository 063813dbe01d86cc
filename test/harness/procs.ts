// Process discovery and killing through /proc. Teardown finds what a test left running by what
// the processes say (their command line) and who started them (their parent), since shims and
// containers outlive the daemons that started them.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { systemClock } from '../../src/base/clock.js';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** One-letter state from /proc/PID/stat: R, S, D, Z (zombie), ... */
  state: string;
  cmdline: readonly string[];
}

/** This process, its ancestors and PID 1: never killed, whatever their command line says. */
async function protectedPids(): Promise<Set<number>> {
  const keep = new Set<number>([1, process.pid]);
  let pid = process.ppid;
  for (let i = 0; i < 64 && pid > 1 && !keep.has(pid); i++) {
    keep.add(pid);
    const info = await readProc(pid);
    if (info === undefined) break;
    pid = info.ppid;
  }
  return keep;
}

export async function readProc(pid: number): Promise<ProcInfo | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((s) => s !== '');
    return { pid, ppid: Number(fields[1]), state: fields[0] ?? '?', cmdline };
  } catch {
    return undefined; // gone meanwhile
  }
}

export async function listProcesses(): Promise<ProcInfo[]> {
  const names = await readdir('/proc');
  const infos = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readProc(Number(n))));
  return infos.filter((p): p is ProcInfo => p !== undefined);
}

/** The given roots and every process below them. */
export function withDescendants(all: readonly ProcInfo[], roots: Iterable<number>): Set<number> {
  const result = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!result.has(p.pid) && result.has(p.ppid)) {
        result.add(p.pid);
        grew = true;
      }
    }
  }
  return result;
}

/** True when the process no longer exists or is a zombie waiting for its parent. */
export async function isGone(pid: number): Promise<boolean> {
  const info = await readProc(pid);
  return info === undefined || info.state === 'Z' || info.state === 'X';
}

/**
 * SIGKILLs the processes (never this process, its ancestors or PID 1) and waits until each is
 * gone, at most `timeoutMs`. Returns the PIDs that are still alive then.
 */
export async function killAndWait(pids: Iterable<number>, timeoutMs = 5000): Promise<number[]> {
  const keep = await protectedPids();
  let left = [...new Set(pids)].filter((pid) => !keep.has(pid));
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (left.length > 0 && Date.now() < deadline) {
    const gone = await Promise.all(left.map((pid) => isGone(pid)));
    left = left.filter((_, i) => gone[i] !== true);
    if (left.length > 0) await systemClock.sleep(20);
  }
  return left;
}

/**
 * Kills every process whose command line mentions `needle`, with all their descendants, then
 * removes the sockets containerd shims among them would have removed on a clean exit.
 * Returns what it killed. The needle must be a test's own path, never something broad.
 */
export async function killProcessesMentioning(needle: string, timeoutMs = 5000): Promise<ProcInfo[]> {
  if (!needle.includes('nodelet-test-') || needle.length < 20) {
    throw new Error(`refusing to kill processes by the broad pattern ${JSON.stringify(needle)}`);
  }
  const killed: ProcInfo[] = [];
  // A few passes: a process may fork (a shim starting a container) between listing and killing.
  for (let pass = 0; pass < 3; pass++) {
    const all = await listProcesses();
    const roots = all.filter((p) => p.state !== 'Z' && p.cmdline.some((arg) => arg.includes(needle))).map((p) => p.pid);
    if (roots.length === 0) break;
    const pids = withDescendants(all, roots);
    const victims = all.filter((p) => pids.has(p.pid));
    await killVictims(victims, needle, timeoutMs);
    killed.push(...victims);
  }
  return killed;
}

/** Kills the processes whose network namespace is the one at `nsPath` (e.g. /var/run/netns/NAME); returns their PIDs. */
export async function killProcessesInNetns(nsPath: string, timeoutMs = 5000): Promise<number[]> {
  // stat() of a namespace file and of /proc/PID/ns/net give the same nsfs inode for the same namespace.
  let target: { dev: number; ino: number };
  try {
    target = await stat(nsPath);
  } catch {
    return [];
  }
  const all = await listProcesses();
  const inside: ProcInfo[] = [];
  await Promise.all(
    all.map(async (p) => {
      try {
        const ns = await stat(`/proc/${p.pid}/ns/net`);
        if (ns.ino === target.ino && ns.dev === target.dev) inside.push(p);
      } catch {
        // gone meanwhile
      }
    }),
  );
  await killVictims(inside, nsPath, timeoutMs);
  return inside.map((p) => p.pid);
}

async function killVictims(victims: readonly ProcInfo[], what: string, timeoutMs: number): Promise<void> {
  const survivors = await killAndWait(victims.map((p) => p.pid), timeoutMs);
  if (survivors.length > 0) throw new Error(`processes of ${what} survived SIGKILL: ${survivors.join(', ')}`);
  await Promise.all(victims.map((p) => removeShimSocket(p.cmdline)));
}

/**
 * containerd-shim-runc-v2 listens on /run/containerd/s/<sha256(address/namespace/id)> (a fixed
 * directory, whatever containerd's state dir) and only removes it on a clean exit.
 */
async function removeShimSocket(cmdline: readonly string[]): Promise<void> {
  if (!cmdline[0]?.includes('containerd-shim')) return;
  const arg = (name: string): string | undefined => {
    const i = cmdline.indexOf(name);
    return i >= 0 ? cmdline[i + 1] : undefined;
  };
  const address = arg('-address');
  const namespace = arg('-namespace');
  const id = arg('-id');
  if (address === undefined || namespace === undefined || id === undefined) return;
  const hash = createHash('sha256').update(path.join(address, namespace, id)).digest('hex');
  await rm(`/run/containerd/s/${hash}`, { force: true });
}
