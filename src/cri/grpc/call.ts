// One gRPC call on one HTTP/2 stream: sends the framed request, turns DATA into messages and the
// headers/trailers into a final status, and enforces the deadline and the AbortSignal. What to do
// with the messages is the sink's business (unary: keep one; server stream: queue them).
import * as http2 from 'node:http2';
import type { Http2Connection } from './connection.js';
import { MessageDecoder } from './framing.js';
import { checkResponseHeaders, statusFromTrailers, type HeaderBlock } from './response.js';
import { GrpcCallError, GrpcStatus } from './status.js';
import { encodeGrpcTimeout } from './timeout.js';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_INADEQUATE_SECURITY } = http2.constants;

export const USER_AGENT = 'nodelet-cri/1';

/** Receives a call's messages, then exactly one end. */
export interface CallSink {
  message(bytes: Buffer): void;
  /** `undefined`: the server ended the call with status OK. */
  end(err: GrpcCallError | undefined): void;
}

export interface CallOptions {
  /** Undefined: no deadline, no timer. */
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
}

/** Longest delay setTimeout honours; a longer deadline is left to the server's grpc-timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const baseHeaders = new Map<string, http2.OutgoingHttpHeaders>();

/** Request headers; node copies them on request(), so the deadline-free ones are shared. */
function requestHeaders(path: string, timeoutMs: number | undefined): http2.OutgoingHttpHeaders {
  let base = baseHeaders.get(path);
  if (base === undefined) {
    base = Object.freeze({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': USER_AGENT,
    });
    baseHeaders.set(path, base);
  }
  return timeoutMs === undefined ? base : { ...base, 'grpc-timeout': encodeGrpcTimeout(timeoutMs) };
}

export class GrpcCall {
  private readonly stream: http2.ClientHttp2Stream;
  private readonly session: http2.Http2Session | undefined;
  private readonly decoder = new MessageDecoder();
  private readonly signal: AbortSignal | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Final status from the headers (Trailers-Only) or trailers: 0 is OK. */
  private status: GrpcCallError | 0 | undefined;
  private streamError: Error | undefined;
  private ended = false;

  /**
   * Starts the call at once. Throws a GrpcCallError (nothing sent) when the request cannot be
   * framed or no stream can be opened; otherwise every outcome goes to `sink.end`.
   */
  constructor(
    private readonly conn: Http2Connection,
    path: string,
    request: Uint8Array,
    opts: CallOptions,
    private readonly sink: CallSink,
  ) {
    const stream = conn.request(requestHeaders(path, opts.timeoutMs));
    this.stream = stream;
    this.session = stream.session;
    stream.on('response', (headers: HeaderBlock) => this.onResponse(headers));
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('trailers', (trailers: HeaderBlock) => this.onTrailers(trailers));
    stream.on('error', (err: Error) => (this.streamError = err));
    stream.on('close', () => this.onClose());
    stream.end(request);
    if (opts.timeoutMs !== undefined && opts.timeoutMs <= MAX_TIMER_MS) {
      const ms = opts.timeoutMs;
      this.timer = setTimeout(() => this.cancel(new GrpcCallError(GrpcStatus.DEADLINE_EXCEEDED, `deadline of ${ms} ms exceeded`)), ms);
    }
    this.signal = opts.signal;
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Resets the stream (RST_STREAM CANCEL) and ends the call with `err`; no-op once ended. */
  cancel(err: GrpcCallError): void {
    if (this.ended) return;
    if (!this.stream.closed) this.stream.close(NGHTTP2_CANCEL);
    this.end(err);
  }

  /** Flow control for a slow consumer: stop reading (the server's window then fills up). */
  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  private readonly onAbort = (): void => this.cancel(new GrpcCallError(GrpcStatus.CANCELLED, 'cancelled by the caller'));

  private onResponse(headers: HeaderBlock): void {
    // Trailers-Only: the status comes in the only header block, whatever the HTTP status.
    const status = statusFromTrailers(headers);
    if (status !== undefined) {
      this.status = status;
      return;
    }
    const bad = checkResponseHeaders(headers);
    if (bad !== undefined) this.cancel(bad);
  }

  private onData(chunk: Buffer): void {
    if (this.ended) return;
    let messages: Buffer[];
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      this.cancel(err instanceof GrpcCallError ? err : new GrpcCallError(GrpcStatus.INTERNAL, String(err), { cause: err }));
      return;
    }
    for (const m of messages) {
      if (this.ended) return;
      this.sink.message(m);
    }
  }

  private onTrailers(trailers: HeaderBlock): void {
    this.status = statusFromTrailers(trailers) ?? new GrpcCallError(GrpcStatus.INTERNAL, 'the server sent trailers without grpc-status');
  }

  private onClose(): void {
    this.conn.release();
    if (this.ended) return;
    const status = this.status;
    if (status === 0) {
      if (this.decoder.idle) this.end(undefined);
      else this.end(new GrpcCallError(GrpcStatus.INTERNAL, 'the reply ended inside a message'));
    } else {
      this.end(status ?? this.transportError());
    }
  }

  /** Why a stream closed without a status (grpc/doc/PROTOCOL-HTTP2.md, "Errors"). */
  private transportError(): GrpcCallError {
    const cause = this.streamError;
    const why = cause === undefined ? '' : `: ${cause.message}`;
    if (this.session === undefined || this.session.destroyed) {
      return new GrpcCallError(GrpcStatus.UNAVAILABLE, `connection to ${this.conn.socketPath} failed or was lost${why}`, { cause });
    }
    const code = this.stream.rstCode;
    switch (code) {
      case NGHTTP2_REFUSED_STREAM:
        return new GrpcCallError(GrpcStatus.UNAVAILABLE, `the server refused the stream${why}`, { cause });
      case NGHTTP2_CANCEL:
        return new GrpcCallError(GrpcStatus.CANCELLED, `the server cancelled the stream${why}`, { cause });
      case NGHTTP2_ENHANCE_YOUR_CALM:
        return new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED, `the server reset the stream with ENHANCE_YOUR_CALM${why}`, { cause });
      case NGHTTP2_INADEQUATE_SECURITY:
        return new GrpcCallError(GrpcStatus.PERMISSION_DENIED, `the server reset the stream with INADEQUATE_SECURITY${why}`, { cause });
      default:
        return new GrpcCallError(GrpcStatus.INTERNAL, `the stream ended without grpc-status (HTTP/2 code ${String(code)})${why}`, { cause });
    }
  }

  private end(err: GrpcCallError | undefined): void {
    this.ended = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.sink.end(err);
  }
}
