// The real `nodelet apiserver` CLI as a child process, on SQLite (the default) or on an etcd the
// harness starts, for tests that drive it with the machine's kubectl. Everything it writes (data
// dir, kubeconfig, logs, kubectl's cache) lives in one temp dir that stop() removes.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { createTempDir, freePort, startDaemon, startEtcd, PROJECT_ROOT, type Daemon, type Etcd, type TempDir } from './index.js';

export type Backend = 'sqlite' | 'etcd';

export interface RunningApiserver {
  readonly backend: Backend;
  readonly tmp: TempDir;
  readonly daemon: Daemon;
  /** The admin kubeconfig the apiserver wrote (--write-kubeconfig). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** SIGTERM to the apiserver's PID (then SIGKILL after the grace), etcd and the temp dir removed. Idempotent. */
  stop(): Promise<void>;
}

const CLI = path.join(PROJECT_ROOT, 'dist/src/cli.js');

/** GET with the CA and admin token from the data dir; resolves with the status (0 on a socket error). */
async function httpsStatus(port: number, dataDir: string, urlPath: string): Promise<number> {
  const ca = await readFile(path.join(dataDir, 'pki', 'ca.crt'), 'utf8');
  const token = (await readFile(path.join(dataDir, 'tokens.csv'), 'utf8')).split(',')[0] ?? '';
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: urlPath, ca, headers: { authorization: `Bearer ${token}` }, agent: false, timeout: 2000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export interface StartApiserverOptions {
  /**
   * --controllers for the apiserver. Default "" (none): tests of the API itself see only what they
   * do; tests of a whole node pass "*".
   */
  controllers?: string;
  /** Extra flags. */
  args?: readonly string[];
}

/**
 * Starts `node dist/src/cli.js apiserver` on a free loopback port and waits until the kubeconfig
 * exists and /readyz answers 200. A port taken between picking and binding makes the process
 * exit; then another port is tried (3 attempts).
 */
export async function startApiserver(backend: Backend, opts: StartApiserverOptions = {}): Promise<RunningApiserver> {
  const tmp = await createTempDir();
  let etcd: Etcd | undefined;
  try {
    if (backend === 'etcd') etcd = await startEtcd({ tmp });
    const dataDir = tmp.join('data');
    const kubeconfig = tmp.join('admin.kubeconfig');
    let lastError: unknown;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const args = [
        CLI, 'apiserver',
        '--data-dir', dataDir,
        '--secure-port', String(port),
        '--bind-address', '127.0.0.1',
        '--advertise-address', '127.0.0.1',
        '--write-kubeconfig', kubeconfig,
        '--log-format', 'json',
        `--controllers=${opts.controllers ?? ''}`,
        ...(opts.args ?? []),
        ...(etcd === undefined ? [] : ['--etcd-servers', etcd.endpoint]),
      ];
      let daemon: Daemon;
      try {
        daemon = await startDaemon({
          name: `apiserver (${backend})`,
          file: process.execPath,
          args,
          logFile: tmp.join(`apiserver-${attempt}.log`),
          ready: async () => existsSync(kubeconfig) && (await httpsStatus(port, dataDir, '/readyz')) === 200,
          readyPolls: 300,
          readyIntervalMs: 100,
          readyTimeoutMs: 30_000,
        });
      } catch (err) {
        lastError = err;
        continue;
      }
      const owned = etcd;
      let stopped: Promise<void> | undefined;
      return {
        backend,
        tmp,
        daemon,
        kubeconfig,
        url: `https://127.0.0.1:${port}`,
        stop: () =>
          (stopped ??= (async () => {
            await daemon.stop(10_000);
            await owned?.dispose();
            await tmp.dispose();
          })()),
      };
    }
    throw lastError instanceof Error ? lastError : new Error(`apiserver did not start: ${String(lastError)}`);
  } catch (err) {
    await etcd?.dispose().catch(() => undefined);
    await tmp.dispose().catch(() => undefined);
    throw err;
  }
}
