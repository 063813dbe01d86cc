// gRPC connections to an etcd cluster: one channel per --etcd-servers endpoint, calls go to a
// connected one. grpc-js keeps reconnecting each channel in the background (100 ms to 3 s).
//
// A request is sent only on a connected channel: the client waits (up to 5 s) for any endpoint
// to connect, so a member that is down costs a wait, never a request lost in the air. A request
// that fails with UNAVAILABLE after it was sent is retried on the other endpoints when it is a
// read; a write is not (it may have been applied, and retrying a create or a compare-and-swap
// would answer AlreadyExists or Conflict for the caller's own write): the caller gets
// Unavailable and retries at its level.
import * as grpc from '@grpc/grpc-js';
import { ErrorCode, NodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { etcdError, grpcCode } from './errors.js';
import { Msg, type EtcdMethod } from './proto.js';

export interface EtcdTlsFiles {
  /** PEM contents (not paths): the CA bundle that signed etcd's serving certificate. */
  ca?: Buffer;
  /** PEM client certificate and key, when etcd requires client certificates. */
  cert?: Buffer;
  key?: Buffer;
}

export interface EtcdClientOptions {
  /** Client URLs such as http://10.0.0.1:2379 or https://etcd-0:2379 (https needs `tls` or the system CAs). */
  endpoints: readonly string[];
  tls?: EtcdTlsFiles;
  /** Deadline of each unary call; default 10 s. */
  requestTimeoutMs?: number;
}

const MAX_MESSAGE_BYTES = 2 ** 31 - 1; // etcd's clientv3 default: a large list must not fail on size
const CHANNEL_OPTIONS: grpc.ClientOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 3000,
  // Finds a dead connection under an idle watch; etcd accepts pings every 5 s or more.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
};

interface Endpoint {
  url: string;
  client: grpc.Client;
}

/** host:port and whether TLS is used, from an endpoint URL (or a bare host:port). */
export function parseEndpoint(url: string): { target: string; tls: boolean } {
  const m = /^(?:(https?|unix):\/\/)?([^/]+)\/?$/.exec(url.trim());
  if (!m || m[1] === 'unix' || m[2] === undefined) {
    throw new NodeletError(ErrorCode.InvalidConfig, `etcd endpoint ${JSON.stringify(url)} is not a URL like http://127.0.0.1:2379`);
  }
  return { target: m[2], tls: m[1] === 'https' };
}

export class EtcdClient implements Disposable {
  private readonly endpoints: Endpoint[];
  private active = 0;
  private closed = false;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new NodeletError(ErrorCode.InvalidConfig, 'no etcd endpoints given');
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.connectTimeoutMs = Math.min(this.timeoutMs, 5000);
    this.endpoints = opts.endpoints.map((url) => {
      const { target, tls } = parseEndpoint(url);
      const creds = tls
        ? grpc.credentials.createSsl(opts.tls?.ca ?? null, opts.tls?.key ?? null, opts.tls?.cert ?? null)
        : grpc.credentials.createInsecure();
      return { url, client: new grpc.Client(target, creds, CHANNEL_OPTIONS) };
    });
  }

  /**
   * One unary call; `retry` (reads only) tries the other endpoints when one is unavailable.
   * Aborting the signal cancels the call (Cancelled).
   */
  async unary(op: string, method: EtcdMethod, request: object, opts: { retry: boolean; signal?: AbortSignal | undefined }): Promise<Msg> {
    const attempts = opts.retry ? this.endpoints.length : 1;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const endpoint = await this.ready(op, opts.signal);
      try {
        return await this.call(endpoint, method, request, opts.signal);
      } catch (err) {
        lastError = err;
        if (grpcCode(err) !== grpc.status.UNAVAILABLE) break;
        this.failed(endpoint);
      }
    }
    throw etcdError(op, lastError);
  }

  /** A Watch stream on a connected endpoint; the caller writes requests and reads responses. */
  async openWatch(method: EtcdMethod, signal: AbortSignal): Promise<{ call: grpc.ClientDuplexStream<object, object>; failed: () => void }> {
    const endpoint = await this.ready('watch', signal);
    const call = endpoint.client.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, new grpc.Metadata(), {});
    return { call, failed: () => this.failed(endpoint) };
  }

  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.endpoints) e.client.close();
  }

  private call(endpoint: Endpoint, method: EtcdMethod, request: object, signal: AbortSignal | undefined): Promise<Msg> {
    if (signal?.aborted) return Promise.reject(new NodeletError(ErrorCode.Cancelled, 'etcd request cancelled', { cause: signal.reason }));
    return new Promise<Msg>((resolve, reject) => {
      const done = (err: unknown, reply?: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          reject(err);
          return;
        }
        try {
          resolve(Msg.of(reply, method.path));
        } catch (decodeErr) {
          reject(decodeErr);
        }
      };
      const call = endpoint.client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + this.timeoutMs },
        (err, reply) => done(err, reply),
      );
      // The reply callback never runs synchronously, so the listener is in place before it.
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * A connected endpoint: the active one if connected, else the first to connect within the
   * connect timeout. Requests go only to connected channels, so an UNAVAILABLE from waiting
   * here means nothing was sent (safe to report for writes too).
   */
  private async ready(op: string, signal: AbortSignal | undefined): Promise<Endpoint> {
    this.check();
    const n = this.endpoints.length;
    const order = Array.from({ length: n }, (_, i) => (this.active + i) % n);
    const connected = order.find((i) => this.endpoints[i]?.client.getChannel().getConnectivityState(true) === grpc.connectivityState.READY);
    const now = this.endpoints[connected ?? -1];
    if (connected !== undefined && now !== undefined) {
      this.active = connected;
      return now;
    }
    const deadline = Date.now() + this.connectTimeoutMs;
    return new Promise<Endpoint>((resolve, reject) => {
      let pending = n;
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const onAbort = (): void => settle(() => reject(new NodeletError(ErrorCode.Cancelled, `etcd ${op} cancelled`, { cause: signal?.reason })));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      this.endpoints.forEach((e, i) => {
        e.client.waitForReady(deadline, (err) => {
          if (!err) {
            settle(() => {
              this.active = i;
              resolve(e);
            });
          } else if (--pending === 0) {
            const urls = this.endpoints.map((x) => x.url).join(', ');
            settle(() => reject(new NodeletError(ErrorCode.Unavailable, `etcd ${op}: no etcd endpoint connected within ${this.connectTimeoutMs} ms (${urls})`)));
          }
        });
      });
    });
  }

  private failed(endpoint: Endpoint): void {
    if (this.endpoints[this.active] === endpoint) this.active = (this.active + 1) % this.endpoints.length;
  }

  private check(): void {
    if (this.closed) throw new NodeletError(ErrorCode.Unavailable, 'the etcd client is closed (the apiserver is shutting down)');
  }
}
