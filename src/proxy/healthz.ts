// kube-proxy's health server (pkg/proxy/healthcheck/proxier_health.go): the proxier reports when
// a sync is queued and when one succeeded; /healthz (and /livez) answer 200 while no queued
// change has waited longer than the timeout (upstream: 2 x syncPeriod), else 503, with a JSON
// body of lastUpdated and currentTime. Healthy while starting (nothing queued yet), as upstream.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../base/clock.js';
import { ErrorCode, NodeletError, errorMessage } from '../base/errors.js';
import type { Disposable } from '../base/lifecycle.js';
import type { Logger } from '../base/log.js';

/** What the proxier tells the health server. */
export interface ProxierHealthUpdater {
  /** A change is waiting for a sync (keeps the oldest pending time). */
  queued(): void;
  /** A sync succeeded: nothing is pending any more. */
  updated(): void;
}

export interface HealthStatus {
  healthy: boolean;
  lastUpdated: Date;
  currentTime: Date;
}

export class ProxierHealth implements ProxierHealthUpdater {
  private lastUpdatedMs: number;
  private oldestQueuedMs: number | undefined;

  constructor(private readonly deps: { clock: Clock; timeoutMs: number }) {
    this.lastUpdatedMs = deps.clock.now();
  }

  queued(): void {
    this.oldestQueuedMs ??= this.deps.clock.now();
  }

  updated(): void {
    this.lastUpdatedMs = this.deps.clock.now();
    this.oldestQueuedMs = undefined;
  }

  status(): HealthStatus {
    const now = this.deps.clock.now();
    const healthy = this.oldestQueuedMs === undefined || now - this.oldestQueuedMs < this.deps.timeoutMs;
    return { healthy, lastUpdated: new Date(this.lastUpdatedMs), currentTime: new Date(now) };
  }
}

export interface HttpEndpoint extends Disposable {
  /** The bound address and port (the real port when 0 was asked). */
  readonly address: string;
  readonly port: number;
}

/** Splits "host:port" / "[v6]:port"; InvalidConfig otherwise. */
export function splitHostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (m === null || !Number.isInteger(port) || port > 65535) {
    throw new NodeletError(ErrorCode.InvalidConfig, `${what} "${text}" must be host:port (for example 0.0.0.0:10256)`);
  }
  return { host: m[1] ?? m[2] ?? '', port };
}

export function listenHttp(server: http.Server, bindAddress: string, what: string, log: Logger): Promise<HttpEndpoint> {
  const { host, port } = splitHostPort(bindAddress, `${what} bind address`);
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(new NodeletError(ErrorCode.Unavailable, `${what} server: cannot listen on ${bindAddress}: ${errorMessage(err)}`, { cause: err }));
    server.once('error', onError);
    server.listen({ host: host === '' ? undefined : host, port }, () => {
      server.off('error', onError);
      server.on('error', (err) => log.error(`${what} server failed`, { error: errorMessage(err) }));
      const addr = server.address() as AddressInfo;
      log.info(`${what} server listening`, { address: addr.address, port: addr.port });
      resolve({
        address: addr.address,
        port: addr.port,
        dispose: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** Serves /healthz and /livez on `bindAddress` (host:port). */
export function startHealthzServer(deps: { bindAddress: string; health: ProxierHealth; log: Logger }): Promise<HttpEndpoint> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const st = deps.health.status();
    const body = JSON.stringify({ lastUpdated: st.lastUpdated.toISOString(), currentTime: st.currentTime.toISOString(), nodeEligible: true });
    res.writeHead(st.healthy ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }).end(body);
  });
  return listenHttp(server, deps.bindAddress, 'healthz', deps.log);
}
