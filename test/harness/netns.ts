// A test node is a network namespace: daemons that create links, routes or rules (containerd's
// CNI bridge, dockerd, the proxy) run inside it and never touch the machine's own network.
// Enter it with nsenter, not `ip netns exec`: the latter remounts /sys and hides the cgroup
// mounts, and runc then fails.
import { randomBytes } from 'node:crypto';
import type { Disposable } from '../../src/base/lifecycle.js';
import { runChecked, systemExec, type ExecOptions, type ExecResult } from '../../src/base/exec.js';
import { killProcessesInNetns } from './procs.js';

export const NETNS_PREFIX = 'nlt-';

/** A command line that runs `file args` inside the namespace; nsenter execs, so the PID is the command's. */
export function nsenterCommand(netnsName: string, file: string, args: readonly string[]): { file: string; args: string[] } {
  return { file: 'nsenter', args: [`--net=/var/run/netns/${netnsName}`, '--', file, ...args] };
}

export interface Netns extends Disposable {
  /** e.g. nlt-3f9a1c2b */
  readonly name: string;
  /** /var/run/netns/<name> */
  readonly path: string;
  /** Runs a command inside the namespace to completion (never throws for a non-zero exit). */
  run(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** As run(), but throws unless the command exits 0. */
  runChecked(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** HTTP GET from inside the namespace (busybox wget); the body on a 2xx answer, else undefined. */
  httpGet(url: string, timeoutMs?: number): Promise<string | undefined>;
  /** Kills every process still inside, then deletes the namespace (its links go with it). Idempotent. */
  dispose(): Promise<void>;
}

/** Creates `nlt-<random>` with `lo` up. */
export async function createNetns(): Promise<Netns> {
  const name = `${NETNS_PREFIX}${randomBytes(4).toString('hex')}`;
  const nsPath = `/var/run/netns/${name}`;
  await runChecked(systemExec, 'ip', ['netns', 'add', name]);
  const run = (file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> => {
    const cmd = nsenterCommand(name, file, args);
    return systemExec.run(cmd.file, cmd.args, { timeoutMs: 60_000, ...opts });
  };
  let disposed: Promise<void> | undefined;
  const dispose = async (): Promise<void> => {
    await killProcessesInNetns(nsPath);
    const res = await systemExec.run('ip', ['netns', 'delete', name]);
    if (res.code !== 0 && !res.stderr.includes('No such file')) {
      throw new Error(`ip netns delete ${name}: ${res.stderr.trim()}`);
    }
  };
  const netns: Netns = {
    name,
    path: nsPath,
    run,
    runChecked: async (file, args, opts) => {
      const res = await run(file, args, opts);
      if (res.code !== 0) {
        throw new Error(`${file} ${args.join(' ')} (in ${name}): exit ${res.code ?? res.signal}: ${res.stderr.trim()}`);
      }
      return res;
    },
    httpGet: async (url, timeoutMs = 5000) => {
      // No `wget -T`: Debian's busybox 1.35 segfaults with it when the connection is refused.
      const res = await run('busybox', ['wget', '-q', '-O', '-', url], { timeoutMs });
      return res.code === 0 ? res.stdout : undefined;
    },
    dispose: () => (disposed ??= dispose()),
  };
  try {
    await netns.runChecked('ip', ['link', 'set', 'lo', 'up']);
  } catch (err) {
    await netns.dispose();
    throw err;
  }
  return netns;
}
