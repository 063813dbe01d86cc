// A TCP relay from this process's network namespace to a loopback port inside a test node's
// namespace. Loopback addresses differ per namespace, but unix sockets live in the file system,
// which both share: a helper inside the namespace serves a unix socket and connects each client to
// 127.0.0.1:<port> there; this process listens on a loopback port here and pipes to that socket.
// TLS passes through untouched, so certificates for 127.0.0.1 stay valid.
import { existsSync } from 'node:fs';
import net from 'node:net';
import type { Disposable } from '../../src/base/lifecycle.js';
import { startDaemon, type Daemon } from './process.js';

export interface NetnsRelay extends Disposable {
  /** The port on this namespace's 127.0.0.1 that reaches `targetPort` inside the netns. */
  readonly localPort: number;
  /** The helper inside the netns (benchmarks read its CPU time). */
  readonly pid: number;
  /** Stops the local listener (and open connections) and the helper inside the netns. */
  dispose(): Promise<void>;
}

// Runs inside the netns: argv = [socketPath, targetPort].
const INNER_SCRIPT = `
const net = require('node:net');
const [sock, port] = process.argv.slice(1);
const server = net.createServer((c) => {
  const t = net.connect(Number(port), '127.0.0.1');
  c.pipe(t).pipe(c);
  c.on('error', () => t.destroy());
  t.on('error', () => c.destroy());
});
server.listen(sock);
process.on('SIGTERM', () => process.exit(0));
`;

export async function startNetnsRelay(opts: {
  netnsName: string;
  /** A unix socket path to create (keep it below 108 bytes). */
  socketPath: string;
  targetPort: number;
  logFile: string;
}): Promise<NetnsRelay> {
  const inner: Daemon = await startDaemon({
    name: 'netns relay',
    file: process.execPath,
    args: ['-e', INNER_SCRIPT, opts.socketPath, String(opts.targetPort)],
    netns: opts.netnsName,
    logFile: opts.logFile,
    ready: () => Promise.resolve(existsSync(opts.socketPath)),
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((c) => {
    const t = net.connect(opts.socketPath);
    sockets.add(c).add(t);
    c.pipe(t).pipe(c);
    const drop = (): void => {
      c.destroy();
      t.destroy();
      sockets.delete(c);
      sockets.delete(t);
    };
    c.on('error', drop).on('close', drop);
    t.on('error', drop).on('close', drop);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  } catch (err) {
    await inner.stop();
    throw err;
  }
  const addr = server.address();
  const localPort = typeof addr === 'object' && addr !== null ? addr.port : 0;
  let disposed: Promise<void> | undefined;
  return {
    localPort,
    pid: inner.pid,
    dispose: () =>
      (disposed ??= (async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await inner.stop(2000);
      })()),
  };
}
