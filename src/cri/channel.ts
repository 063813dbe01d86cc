// One gRPC connection to a CRI service: unary calls with a deadline and an AbortSignal, and
// server streams as async iterables. Every failure leaves here as a NodeletError (errors.ts).
import * as grpc from '@grpc/grpc-js';
import type { Disposable } from '../base/lifecycle.js';
import { cancelledError, criError } from './errors.js';
import { criMethod, type CriService } from './proto/load.js';
import { Reader } from './reader.js';

// kubelet's limits: 16 MiB messages (ExecSync output, long lists), and a reconnect back-off of
// 100 ms to 3 s so that calls work again soon after the runtime restarts.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const CHANNEL_OPTIONS: grpc.ClientOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 3000,
};

export interface UnaryOptions {
  /** Undefined: no deadline (the call ends only by reply, failure or the signal). */
  timeoutMs: number | undefined;
  signal?: AbortSignal | undefined;
}

export class CriChannel implements Disposable {
  private readonly client: grpc.Client;

  /**
   * `target` is a grpc-js target such as `unix:///run/containerd/containerd.sock`. Connecting is
   * lazy; calls do not wait for the runtime (waitForReady is off), so a dead socket fails fast
   * with Unavailable rather than at the deadline.
   */
  constructor(
    target: string,
    private readonly service: CriService,
  ) {
    this.client = new grpc.Client(target, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  /** Calls `rpc` and resolves with a reader over its reply. Aborting cancels the gRPC call. */
  unary(rpc: string, request: object, opts: UnaryOptions): Promise<Reader> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(cancelledError(rpc, signal));
    const method = criMethod(this.service, rpc);
    const callOptions: grpc.CallOptions = {};
    if (opts.timeoutMs !== undefined) callOptions.deadline = Date.now() + opts.timeoutMs;
    return new Promise<Reader>((resolve, reject) => {
      let call: grpc.ClientUnaryCall | undefined;
      const onAbort = (): void => call?.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = (err: unknown, reply?: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        if (err) {
          reject(criError(rpc, err));
          return;
        }
        try {
          resolve(Reader.of(reply, rpc));
        } catch (decodeErr) {
          reject(criError(rpc, decodeErr));
        }
      };
      try {
        call = this.client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          new grpc.Metadata(),
          callOptions,
          (err, reply) => done(err, reply),
        );
      } catch (err) {
        done(err);
      }
    });
  }

  /**
   * Calls a server-streaming `rpc`; each reply is yielded as a reader. No deadline. Aborting the
   * signal cancels the call and the iteration throws Cancelled; leaving the loop early cancels it too.
   */
  async *stream(rpc: string, request: object, signal?: AbortSignal): AsyncGenerator<Reader, void, undefined> {
    if (signal?.aborted) throw cancelledError(rpc, signal);
    const method = criMethod(this.service, rpc);
    const call = this.client.makeServerStreamRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      new grpc.Metadata(),
      {},
    );
    const onAbort = (): void => call.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const reply of call as AsyncIterable<unknown>) yield Reader.of(reply, rpc);
    } catch (err) {
      throw criError(rpc, err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      call.cancel();
    }
  }

  /** Closes the connection; calls in flight fail with Cancelled or Unavailable. */
  dispose(): void {
    this.client.close();
  }
}
