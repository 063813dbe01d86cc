// One gRPC connection to a CRI service: unary calls with a deadline and an AbortSignal, and
// server streams as async iterables. Every failure leaves here as a NodeletError (errors.ts).
//
// The transport is our own small gRPC client on node:http2 (src/cri/grpc/): CRI needs only
// insecure unary and server-streaming calls on a unix socket, and grpc-js cost more CPU per call
// than the agent's own work, and several MiB of memory.
import type { NodeletError } from '../base/errors.js';
import type { Disposable } from '../base/lifecycle.js';
import { parseCriEndpoint } from './endpoint.js';
import { cancelledError, criError } from './errors.js';
import { GrpcCall, type CallSink } from './grpc/call.js';
import { Http2Connection } from './grpc/connection.js';
import { encodeMessage } from './grpc/framing.js';
import { GrpcCallError, GrpcStatus } from './grpc/status.js';
import { Reader } from './reader.js';

/**
 * How one method's messages become bytes and back: what proto-loader's MethodDefinition gives
 * (path, requestSerialize, responseDeserialize), and what a replacement codec must provide.
 */
export interface GrpcMethod {
  /** `/runtime.v1.RuntimeService/Version`. */
  readonly path: string;
  requestSerialize(request: object): Buffer;
  /** Throws when the bytes are not a valid message. */
  responseDeserialize(bytes: Buffer): unknown;
}

/**
 * A service: its methods by name (`Version`), as proto-loader's ServiceDefinition, or a lookup
 * (the CRI codec builds a method's tables on its first call).
 */
export type GrpcService = Readonly<Record<string, GrpcMethod | undefined>> | ((rpc: string) => GrpcMethod | undefined);

export interface UnaryOptions {
  /** Undefined: no deadline (the call ends only by reply, failure or the signal). */
  timeoutMs: number | undefined;
  signal?: AbortSignal | undefined;
}

/** A server stream buffers at most this many messages before it stops reading. */
const STREAM_HIGH_WATER = 64;

export class CriChannel implements Disposable {
  private readonly conn: Http2Connection;

  /**
   * `target` is `unix:///abs/path` (or any form parseCriEndpoint takes), or a connection another
   * channel on the same socket uses too. Connecting is lazy, and calls do not wait for the
   * runtime: a dead socket fails at once with Unavailable rather than at the deadline.
   */
  constructor(
    target: string | Http2Connection,
    private readonly service: GrpcService,
  ) {
    this.conn = typeof target === 'string' ? new Http2Connection(parseCriEndpoint(target).socketPath) : target;
  }

  /** Calls `rpc` and resolves with a reader over its reply. Aborting cancels the gRPC call. */
  unary(rpc: string, request: object, opts: UnaryOptions): Promise<Reader> {
    const { signal } = opts;
    if (signal?.aborted) return Promise.reject(cancelledError(rpc, signal));
    return new Promise<Reader>((resolve, reject) => {
      let method: GrpcMethod;
      let reply: Buffer | undefined;
      let count = 0;
      const sink: CallSink = {
        message(bytes) {
          if (++count === 1) reply = bytes;
          // A second message breaks the unary contract (statuscodes.md: response cardinality).
          else call?.cancel(new GrpcCallError(GrpcStatus.UNIMPLEMENTED, 'the server sent more than one reply message'));
        },
        end: (err) => {
          if (err !== undefined) reject(this.failure(rpc, err, signal));
          else if (reply === undefined) reject(criError(rpc, new GrpcCallError(GrpcStatus.UNIMPLEMENTED, 'the server sent no reply message')));
          else {
            try {
              resolve(Reader.of(decodeOrThrow(method, reply), rpc));
            } catch (decodeErr) {
              reject(criError(rpc, decodeErr));
            }
          }
        },
      };
      let call: GrpcCall | undefined;
      try {
        method = this.method(rpc);
        call = new GrpcCall(this.conn, method.path, encodeMessage(method.requestSerialize(request)), { timeoutMs: opts.timeoutMs, signal }, sink);
      } catch (err) {
        reject(criError(rpc, err));
      }
    });
  }

  /**
   * Calls a server-streaming `rpc`; each reply is yielded as a reader. No deadline. Aborting the
   * signal cancels the call and the iteration throws Cancelled; leaving the loop early cancels it too.
   */
  async *stream(rpc: string, request: object, signal?: AbortSignal): AsyncGenerator<Reader, void, undefined> {
    if (signal?.aborted) throw cancelledError(rpc, signal);
    const queue: Buffer[] = [];
    let paused = false;
    /** Set once the call ends: null for OK. */
    let outcome: GrpcCallError | null | undefined;
    let wake: (() => void) | undefined;
    let method: GrpcMethod;
    let call: GrpcCall;
    try {
      method = this.method(rpc);
      call = new GrpcCall(this.conn, method.path, encodeMessage(method.requestSerialize(request)), { timeoutMs: undefined, signal }, {
        message(bytes) {
          queue.push(bytes);
          if (queue.length >= STREAM_HIGH_WATER && !paused) {
            paused = true;
            call.pause();
          }
          wake?.();
        },
        end(err) {
          outcome = err ?? null;
          wake?.();
        },
      });
    } catch (err) {
      throw criError(rpc, err);
    }
    try {
      for (;;) {
        // The caller's cancel wins over messages still queued; the server's status comes after them.
        if (outcome != null && outcome.code === GrpcStatus.CANCELLED && signal?.aborted) throw cancelledError(rpc, signal);
        const next = queue.shift();
        if (next !== undefined) {
          if (paused && queue.length < STREAM_HIGH_WATER / 2) {
            paused = false;
            call.resume();
          }
          yield Reader.of(decodeOrThrow(method, next), rpc);
          continue;
        }
        if (outcome === null) return;
        if (outcome !== undefined) throw this.failure(rpc, outcome, signal);
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } catch (err) {
      throw criError(rpc, err);
    } finally {
      call.cancel(new GrpcCallError(GrpcStatus.CANCELLED, 'the caller stopped reading'));
    }
  }

  /** Closes the connection; calls in flight fail with Unavailable. */
  dispose(): void {
    this.conn.dispose();
  }

  private method(rpc: string): GrpcMethod {
    const m = typeof this.service === 'function' ? this.service(rpc) : this.service[rpc];
    if (m === undefined) throw new GrpcCallError(GrpcStatus.INTERNAL, `CRI proto has no method ${rpc}`);
    return m;
  }

  /** The caller's abort becomes cancelledError (as before the transport change); the rest criError. */
  private failure(rpc: string, err: GrpcCallError, signal: AbortSignal | undefined): NodeletError {
    if (err.code === GrpcStatus.CANCELLED && signal?.aborted) return cancelledError(rpc, signal);
    return criError(rpc, err);
  }
}

function decodeOrThrow(method: GrpcMethod, bytes: Buffer): unknown {
  try {
    return method.responseDeserialize(bytes);
  } catch (err) {
    throw decodeError(err);
  }
}

/** A reply that does not parse is INTERNAL (statuscodes.md: "Error parsing response proto"). */
function decodeError(err: unknown): GrpcCallError {
  return new GrpcCallError(GrpcStatus.INTERNAL, `cannot parse the reply: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
