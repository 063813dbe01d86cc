// A private containerd per test node, with its CRI plugin: the reference runtime the agent's CRI
// client talks to. Stopping containerd does not stop its shims and containers, so teardown
// removes containers first and then sweeps whatever still mentions containerd's directory.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { systemExec, type ExecResult } from '../../src/base/exec.js';
import type { Disposable } from '../../src/base/lifecycle.js';
import { renderCniConflist, renderContainerdConfig, type ContainerdLayout } from './containerd-config.js';
import { PAUSE_IMAGE } from './images.js';
import type { Netns } from './netns.js';
import { startDaemon, type Daemon } from './process.js';
import { REGISTRY_ADDRESS } from './registry.js';
import { sweepDir } from './sweep.js';
import type { TempDir } from './tmp.js';

/** The namespace CRI pods and containers live in. */
export const CRI_NAMESPACE = 'k8s.io';

export interface Containerd extends Disposable {
  /** The unix socket a CRI client dials, with scheme: unix:///tmp/nodelet-test-XXXXXX/containerd/containerd.sock */
  readonly socketPath: string;
  /** The same socket as a plain path (for ctr --address). */
  readonly address: string;
  readonly dir: string;
  readonly netns: Netns;
  readonly daemon: Daemon;
  /** Where the node's CNI conflist lives; tests may replace it. */
  readonly cniConfDir: string;
  readonly cniNetworkName: string;
  /** Pod subnet of the node's bridge. */
  readonly podSubnet: string;
  /** Give this (or a path below it) as cgroup_parent so teardown finds pod cgroups. */
  readonly cgroupParent: string;
  /** A runc root for `ctr run --runc-root` so ctr-run containers leave nothing in /run/containerd/runc. */
  readonly runcRoot: string;
  /** Runs `ctr --address SOCK --namespace NS ARGS...` inside the node's netns (so pulls reach its registry). */
  /** Stops the containerd process only: shims and containers keep running (a runtime that went down). */
  stopProcess(): Promise<void>;
  /** Starts containerd again with the same config and directories after stopProcess(). */
  startProcess(): Promise<void>;
  ctr(args: readonly string[], opts?: { namespace?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** As ctr(), but throws unless it exits 0. */
  ctrChecked(args: readonly string[], opts?: { namespace?: string; timeoutMs?: number }): Promise<ExecResult>;
  /**
   * Removes every task and container (all namespaces), stops containerd, kills leftover shims and
   * their processes, unmounts and deletes containerd's directory, removes emptied pod cgroups and
   * libcni's cache entries of its sandboxes. Idempotent.
   */
  dispose(): Promise<void>;
}

export interface ContainerdOptions {
  tmp: TempDir;
  netns: Netns;
  /** Pod subnet for the bridge (default 10.88.0.0/16); the bridge is nlt0 inside the node's netns. */
  podSubnet?: string;
}

/** Starts containerd inside the node's netns; ready once `ctr version` answers. */
export async function startContainerd(opts: ContainerdOptions): Promise<Containerd> {
  const dir = opts.tmp.join('containerd');
  const layout: ContainerdLayout = {
    root: path.join(dir, 'root'),
    state: path.join(dir, 'state'),
    address: path.join(dir, 'containerd.sock'),
    ttrpcAddress: path.join(dir, 'containerd.sock.ttrpc'),
    optDir: path.join(dir, 'opt'),
    cniConfDir: path.join(dir, 'cni', 'conf'),
    runcRoot: path.join(dir, 'runc'),
  };
  const podSubnet = opts.podSubnet ?? '10.88.0.0/16';
  const cniNetworkName = opts.netns.name;
  await mkdir(layout.cniConfDir, { recursive: true });
  await writeFile(
    path.join(layout.cniConfDir, '10-nodelet-test.conflist'),
    renderCniConflist({ name: cniNetworkName, bridge: 'nlt0', subnet: podSubnet, ipamDataDir: path.join(dir, 'cni', 'ipam') }),
  );
  const configFile = path.join(dir, 'config.toml');
  await writeFile(
    configFile,
    renderContainerdConfig(layout, { sandboxImage: PAUSE_IMAGE.ref, mirrorHost: 'nodelet.local', mirrorEndpoint: `http://${REGISTRY_ADDRESS}` }),
  );

  const ctr = (args: readonly string[], o: { namespace?: string; timeoutMs?: number } = {}): Promise<ExecResult> =>
    opts.netns.run('ctr', ['--address', layout.address, '--namespace', o.namespace ?? CRI_NAMESPACE, ...args], {
      timeoutMs: o.timeoutMs ?? 60_000,
    });

  const launch = (): Promise<Daemon> =>
    startDaemon({
      name: 'containerd',
      file: 'containerd',
      args: ['--config', configFile],
      netns: opts.netns.name,
      logFile: path.join(dir, 'containerd.log'),
      ready: async () => (await systemExec.run('ctr', ['--address', layout.address, 'version'], { timeoutMs: 5000 })).code === 0,
    });
  let daemon = await launch().catch(async (err: unknown) => {
    await sweepDir(dir).catch(() => undefined);
    throw err;
  });

  let disposed: Promise<void> | undefined;
  const dispose = async (): Promise<void> => {
    const sandboxIds = await criSandboxIds(dir);
    try {
      if (daemon.running()) await removeAllContainers(layout.address);
    } finally {
      // Whatever the polite part achieved, the sweep leaves nothing.
      await daemon.stop(5000);
      await sweepDir(dir, { cgroupName: opts.tmp.name });
      await removeCniCache(sandboxIds);
    }
  };

  return {
    socketPath: `unix://${layout.address}`,
    address: layout.address,
    dir,
    netns: opts.netns,
    get daemon() {
      return daemon;
    },
    stopProcess: () => daemon.stop(5000),
    startProcess: async () => {
      if (daemon.running()) throw new Error('containerd: startProcess() while it runs');
      daemon = await launch();
    },
    cniConfDir: layout.cniConfDir,
    cniNetworkName,
    podSubnet,
    cgroupParent: opts.tmp.cgroupParent,
    runcRoot: layout.runcRoot,
    ctr,
    ctrChecked: async (args, o) => {
      const res = await ctr(args, o);
      if (res.code !== 0) throw new Error(`ctr ${args.join(' ')}: exit ${res.code ?? res.signal}: ${res.stderr.trim()}`);
      return res;
    },
    dispose: () => (disposed ??= dispose()),
  };
}

/** IDs of the CRI sandboxes a containerd (by its directory, see ContainerdOptions) ever ran and has not removed. */
export function criSandboxIds(containerdDir: string): Promise<string[]> {
  return listDir(path.join(containerdDir, 'root', 'io.containerd.grpc.v1.cri', 'sandboxes'));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

/** Best effort, bounded: force-deletes every task (SIGKILL, then delete) and container in every namespace. */
async function removeAllContainers(address: string): Promise<void> {
  const ctr = (args: string[]): Promise<ExecResult> => systemExec.run('ctr', ['--address', address, ...args], { timeoutMs: 10_000 });
  const lines = (r: ExecResult): string[] => (r.code === 0 ? r.stdout.split('\n').map((s) => s.trim()).filter((s) => s !== '') : []);
  for (const ns of lines(await ctr(['namespaces', 'ls', '-q']))) {
    const tasks = lines(await ctr(['-n', ns, 'tasks', 'ls', '-q']));
    await Promise.all(tasks.map((id) => ctr(['-n', ns, 'tasks', 'rm', '-f', id])));
    const containers = lines(await ctr(['-n', ns, 'containers', 'ls', '-q']));
    await Promise.all(containers.map((id) => ctr(['-n', ns, 'containers', 'rm', id])));
  }
}

/**
 * libcni caches each attachment's result in /var/lib/cni/results/<network>-<sandbox id>-<ifname>
 * (also for containerd's own "cni-loopback"); without a CNI DEL those files stay.
 */
export async function removeCniCache(sandboxIds: readonly string[]): Promise<void> {
  if (sandboxIds.length === 0) return;
  const dir = '/var/lib/cni/results';
  const names = await listDir(dir);
  await Promise.all(
    names.filter((n) => sandboxIds.some((id) => id.length >= 16 && n.includes(`-${id}-`))).map((n) => rm(path.join(dir, n), { force: true })),
  );
}
