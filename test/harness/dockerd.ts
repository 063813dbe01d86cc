// dockerd inside a test node: the engine behind the cri-docker shim. It starts its own containerd
// (under its exec root, so that one's command line and its shims' mention the test directory and
// the same sweep removes them).
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { ExecResult } from '../../src/base/exec.js';
import type { Disposable } from '../../src/base/lifecycle.js';
import type { Netns } from './netns.js';
import { daemonEnv, startDaemon, type Daemon } from './process.js';
import { sweepDir } from './sweep.js';
import type { TempDir } from './tmp.js';

export interface Dockerd extends Disposable {
  /** unix:///tmp/nodelet-test-XXXXXX/docker/docker.sock (for DOCKER_HOST or dockerode). */
  readonly socketPath: string;
  /** The socket as a plain path. */
  readonly address: string;
  readonly dir: string;
  readonly netns: Netns;
  readonly daemon: Daemon;
  /** dockerd's --cgroup-parent: containers' cgroups go below it, so teardown finds them. */
  readonly cgroupParent: string;
  /** GET /_ping on the socket answers OK. */
  ping(): Promise<boolean>;
  /** Runs the docker CLI against this daemon, inside the node's netns. */
  docker(args: readonly string[], opts?: { timeoutMs?: number }): Promise<ExecResult>;
  /** Removes all containers, stops dockerd, sweeps its containerd, shims, mounts and directory. Idempotent. */
  dispose(): Promise<void>;
}

/** GET /_ping over a unix socket; no docker CLI needed and cheap enough to poll. */
export function pingDocker(socket: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export async function startDockerd(opts: { tmp: TempDir; netns: Netns }): Promise<Dockerd> {
  const dir = opts.tmp.join('docker');
  const address = path.join(dir, 'docker.sock');
  const cgroupParent = `${opts.tmp.cgroupParent}/docker`;
  await mkdir(dir, { recursive: true });
  // An explicit config keeps a machine's /etc/docker/daemon.json out of tests. The key path has
  // no command-line flag; without it dockerd writes /etc/docker/key.json.
  const configFile = path.join(dir, 'daemon.json');
  await writeFile(configFile, `${JSON.stringify({ 'deprecated-key-path': path.join(dir, 'key.json') })}\n`);
  // The CLI keeps state in $DOCKER_CONFIG (default ~/.docker); keep it in the test directory.
  const cliEnv = daemonEnv({ DOCKER_HOST: `unix://${address}`, DOCKER_CONFIG: path.join(dir, 'cli') });

  const daemon = await startDaemon({
    name: 'dockerd',
    file: 'dockerd',
    args: [
      // No docker0, no iptables rules: the node's network belongs to the code under test.
      '--bridge=none',
      '--iptables=false',
      '--ip6tables=false',
      '--ip-masq=false',
      `--data-root=${path.join(dir, 'data')}`,
      `--exec-root=${path.join(dir, 'exec')}`,
      `--pidfile=${path.join(dir, 'docker.pid')}`,
      `--host=unix://${address}`,
      `--config-file=${configFile}`,
      `--cgroup-parent=${cgroupParent}`,
      // Containers were already removed when dockerd is asked to stop.
      '--shutdown-timeout=2',
    ],
    netns: opts.netns.name,
    logFile: path.join(dir, 'dockerd.log'),
    ready: () => pingDocker(address),
  }).catch(async (err: unknown) => {
    await sweepDir(dir).catch(() => undefined);
    throw err;
  });

  const docker = (args: readonly string[], o: { timeoutMs?: number } = {}): Promise<ExecResult> =>
    opts.netns.run('docker', args, { env: cliEnv, timeoutMs: o.timeoutMs ?? 60_000 });

  let disposed: Promise<void> | undefined;
  const dispose = async (): Promise<void> => {
    try {
      if (daemon.running()) {
        // Removing containers through dockerd first lets it unmount and clean its state itself.
        const ids = await docker(['ps', '-aq'], { timeoutMs: 10_000 });
        const list = ids.code === 0 ? ids.stdout.split('\n').filter((s) => s.trim() !== '') : [];
        if (list.length > 0) await docker(['rm', '-f', ...list], { timeoutMs: 20_000 });
      }
    } finally {
      // Whatever the polite part achieved, the sweep leaves nothing (dockerd's containerd and shims included).
      await daemon.stop(10_000);
      await sweepDir(dir, { cgroupName: opts.tmp.name });
    }
  };

  return {
    socketPath: `unix://${address}`,
    address,
    dir,
    netns: opts.netns,
    daemon,
    cgroupParent,
    ping: () => pingDocker(address),
    docker,
    dispose: () => (disposed ??= dispose()),
  };
}

