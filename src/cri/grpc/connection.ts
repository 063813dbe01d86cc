// One HTTP/2 session over a unix socket, shared by all calls of a channel. It is opened on the
// first call and reused while alive; once it closes, errors or receives GOAWAY the next call opens
// a new one (calls in flight on the old one end as HTTP/2 lets them: finished, or UNAVAILABLE).
// The socket is unref'd while no call is in flight so that an idle channel does not keep the
// process alive.
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { Disposable } from '../../base/lifecycle.js';
import { GrpcCallError, GrpcStatus } from './status.js';

// Until the server's SETTINGS arrive nghttp2 assumes 100 concurrent streams; grpc-go servers
// allow far more, and a real limit from the server still overrides this.
const SESSION_OPTIONS: http2.ClientSessionOptions = {
  peerMaxConcurrentStreams: 1000,
  settings: { enablePush: false, initialWindowSize: 1024 * 1024 },
};
// Connection-level receive window: several large replies (ExecSync output, lists) at once.
const SESSION_WINDOW_BYTES = 8 * 1024 * 1024;
const REQUEST_OPTIONS: http2.ClientSessionRequestOptions = { endStream: false };

export class Http2Connection implements Disposable {
  private session: http2.ClientHttp2Session | undefined;
  /** Streams opened and not yet closed, over all sessions. */
  private inFlight = 0;
  private disposed = false;

  constructor(readonly socketPath: string) {}

  /**
   * Opens a stream on the live session, connecting first if there is none. The caller must call
   * release() once when the stream has closed. Throws UNAVAILABLE after dispose() or when the
   * session refuses new streams.
   */
  request(headers: http2.OutgoingHttpHeaders): http2.ClientHttp2Stream {
    if (this.disposed) throw new GrpcCallError(GrpcStatus.UNAVAILABLE, 'the CRI channel has been disposed');
    const session = this.session ?? this.connect();
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, REQUEST_OPTIONS);
    } catch (err) {
      // The session went away between our checks and the request (ERR_HTTP2_INVALID_SESSION,
      // ERR_HTTP2_GOAWAY_SESSION): the runtime is not there right now.
      this.forget(session);
      throw new GrpcCallError(GrpcStatus.UNAVAILABLE, `cannot start a call on ${this.socketPath}: ${String(err)}`, { cause: err });
    }
    if (this.inFlight++ === 0) session.ref();
    return stream;
  }

  /** Ends the bookkeeping of one stream from request(). */
  release(): void {
    if (--this.inFlight === 0) this.session?.unref();
  }

  /** Closes the session now; calls in flight fail with UNAVAILABLE. Later calls fail too. */
  dispose(): void {
    this.disposed = true;
    const session = this.session;
    this.session = undefined;
    session?.destroy();
  }

  private connect(): http2.ClientHttp2Session {
    const path = this.socketPath;
    const session = http2.connect('http://localhost', { ...SESSION_OPTIONS, createConnection: () => net.connect(path) });
    this.session = session;
    // Errors reach the streams (their 'error' and 'close'); here we only stop using the session.
    session.on('error', () => this.forget(session));
    session.on('close', () => this.forget(session));
    session.on('goaway', () => this.forget(session));
    session.once('connect', () => {
      if (!session.destroyed) session.setLocalWindowSize(SESSION_WINDOW_BYTES);
    });
    return session;
  }

  private forget(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }
}
