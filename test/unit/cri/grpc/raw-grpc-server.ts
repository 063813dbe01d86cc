// A bare node:http2 server on a unix socket for channel tests that need a misbehaving or
// instrumented peer (the grpc-js fake server is the well-behaved interop peer). Messages are
// JSON, framed as gRPC frames them.
import * as http2 from 'node:http2';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RawHandler = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, request: Buffer) => void;

export interface RawGrpcServer {
  readonly socketPath: string;
  /** Sessions accepted so far. */
  readonly sessions: number;
  /** Closes every session at once (the peer sees the connection drop) and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same socket path after stop(). */
  restart(): Promise<void>;
  /** stop() and remove the temp dir. */
  dispose(): Promise<void>;
}

/** A gRPC frame: flag 0, length, bytes. */
export function frame(payload: Buffer | string, flag = 0): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const h = Buffer.alloc(5);
  h[0] = flag;
  h.writeUInt32BE(body.length, 1);
  return Buffer.concat([h, body]);
}

export const GRPC_HEADERS = { ':status': 200, 'content-type': 'application/grpc' } as const;

/** Replies with `messages` and then the status in trailers. */
export function reply(stream: http2.ServerHttp2Stream, messages: Buffer[], status = 0, message?: string): void {
  stream.respond(GRPC_HEADERS, { waitForTrailers: true });
  stream.on('wantTrailers', () => stream.sendTrailers(trailers(status, message)));
  for (const m of messages) stream.write(m);
  stream.end();
}

export function trailers(status: number, message?: string): http2.OutgoingHttpHeaders {
  return message === undefined ? { 'grpc-status': String(status) } : { 'grpc-status': String(status), 'grpc-message': message };
}

/** The request's message bytes (the test client sends exactly one message). */
function unframe(body: Buffer): Buffer {
  return body.length >= 5 ? body.subarray(5) : Buffer.alloc(0);
}

export async function startRawGrpcServer(handlers: Record<string, RawHandler>): Promise<RawGrpcServer> {
  const dir = await mkdtemp(join(tmpdir(), 'grpc-'));
  const socketPath = join(dir, 'raw.sock');
  let sessions = 0;
  let server: http2.Http2Server;
  const live = new Set<http2.ServerHttp2Session>();
  const listen = async (): Promise<void> => {
    // Room for the over-limit reply test: node counts unsent DATA against this (in MB).
    server = http2.createServer({ maxSessionMemory: 64 });
    server.on('session', (s) => {
      sessions++;
      live.add(s);
      s.on('close', () => live.delete(s));
      s.on('error', () => undefined);
    });
    server.on('stream', (stream, headers) => {
      stream.on('error', () => undefined);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const handler = handlers[String(headers[':path'])];
        if (handler === undefined) {
          stream.respond({ ...GRPC_HEADERS, ...trailers(12, 'no such method') }, { endStream: true });
          return;
        }
        handler(stream, headers, unframe(Buffer.concat(chunks)));
      });
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  };
  const stop = async (): Promise<void> => {
    for (const s of live) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  await listen();
  return {
    socketPath,
    get sessions() {
      return sessions;
    },
    stop,
    restart: listen,
    async dispose() {
      if (server.listening) await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
