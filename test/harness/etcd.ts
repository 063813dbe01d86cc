// A single-member etcd on the machine's loopback for the apiserver's etcd storage tests.
// Ports are picked free at random, so parallel tests do not collide.
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Disposable } from '../../src/base/lifecycle.js';
import { startDaemon, type Daemon } from './process.js';
import { sweepDir } from './sweep.js';
import type { TempDir } from './tmp.js';

export interface Etcd extends Disposable {
  /** Client URL, e.g. http://127.0.0.1:39123 */
  readonly endpoint: string;
  readonly dir: string;
  /** The current etcd process (a new one after restart()). */
  readonly daemon: Daemon;
  /** GET /health answers {"health":"true"}. */
  healthy(): Promise<boolean>;
  /** Writes a key through etcd's v3 JSON gateway (etcdctl is not installed on every machine). */
  put(key: string, value: string): Promise<void>;
  /** Reads a key through the v3 JSON gateway; undefined when absent. */
  get(key: string): Promise<string | undefined>;
  /**
   * Starts etcd again on the same data directory and ports (the endpoint stays valid), after
   * stopping the current process if it still runs. For durability tests: kill -9 `daemon.pid`,
   * await `daemon.exited`, restart(), and check what etcd kept.
   */
  restart(): Promise<void>;
  /** Stops etcd and removes its data. Idempotent. */
  dispose(): Promise<void>;
}

/** A port that was free a moment ago (a race with other binders is possible; callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** POST to the gRPC gateway (/v3/...), which takes and returns JSON with base64 keys and values. */
async function v3(endpoint: string, rpc: string, body: object): Promise<unknown> {
  const res = await fetch(`${endpoint}/v3/${rpc}`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`etcd /v3/${rpc}: HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(2000) });
    const body: unknown = await res.json();
    return res.ok && typeof body === 'object' && body !== null && 'health' in body && body.health === 'true';
  } catch {
    return false;
  }
}

/** Starts etcd with its data in `<tmp>/etcd`; tries other ports when the picked ones were taken. */
export async function startEtcd(opts: { tmp: TempDir }): Promise<Etcd> {
  const dir = opts.tmp.join('etcd');
  await mkdir(dir, { recursive: true });
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const endpoint = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const dataDir = path.join(dir, `data-${attempt}`);
    const launch = (): Promise<Daemon> =>
      startDaemon({
        name: 'etcd',
        file: 'etcd',
        args: [
          '--name=nodelet-test',
          `--data-dir=${dataDir}`,
          `--listen-client-urls=${endpoint}`,
          `--advertise-client-urls=${endpoint}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=nodelet-test=${peer}`,
          '--initial-cluster-state=new',
          '--logger=zap',
          '--log-level=warn',
        ],
        logFile: path.join(dir, 'etcd.log'),
        ready: () => healthy(endpoint),
      });
    let daemon: Daemon;
    try {
      daemon = await launch();
    } catch (err) {
      lastError = err;
      continue;
    }
    let disposed: Promise<void> | undefined;
    return {
      endpoint,
      dir,
      get daemon() {
        return daemon;
      },
      healthy: () => healthy(endpoint),
      put: async (key, value) => {
        await v3(endpoint, 'kv/put', { key: b64(key), value: b64(value) });
      },
      get: async (key) => {
        const res = await v3(endpoint, 'kv/range', { key: b64(key) });
        const kvs = typeof res === 'object' && res !== null && 'kvs' in res && Array.isArray(res.kvs) ? (res.kvs as unknown[]) : [];
        const first = kvs[0];
        if (typeof first !== 'object' || first === null || !('value' in first) || typeof first.value !== 'string') return undefined;
        return Buffer.from(first.value, 'base64').toString('utf8');
      },
      restart: async () => {
        if (disposed !== undefined) throw new Error('etcd: restart() after dispose()');
        await daemon.stop(5000);
        daemon = await launch();
      },
      dispose: () =>
        (disposed ??= (async () => {
          await daemon.stop(5000);
          await sweepDir(dir);
        })()),
    };
  }
  await sweepDir(dir).catch(() => undefined);
  throw lastError instanceof Error ? lastError : new Error(`etcd did not start: ${String(lastError)}`);
}
