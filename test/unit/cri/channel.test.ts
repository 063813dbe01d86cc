// The CRI channel's own gRPC transport against a bare node:http2 peer that can misbehave on
// purpose (test/unit/cri/client.test.ts covers interop with a grpc-js server). Messages are JSON
// through the channel's GrpcMethod seam, which is how a replacement codec plugs in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '../../../src/base/errors.js';
import { CriChannel, type GrpcMethod, type GrpcService } from '../../../src/cri/channel.js';
import { MAX_MESSAGE_BYTES } from '../../../src/cri/grpc/framing.js';
import { rejectsWith } from './rejects-with.js';
import { frame, GRPC_HEADERS, reply, startRawGrpcServer, trailers, type RawGrpcServer, type RawHandler } from './grpc/raw-grpc-server.js';

function json(name: string): GrpcMethod {
  return {
    path: `/test.Svc/${name}`,
    requestSerialize: (req: object) => Buffer.from(JSON.stringify(req)),
    responseDeserialize: (bytes: Buffer): unknown => JSON.parse(bytes.toString()),
  };
}

const NAMES = [
  'Echo', 'Headers', 'TrailersOnly', 'Http503', 'Html', 'NoStatus', 'Empty', 'Two', 'Compressed', 'Huge', 'Refused',
  'Split', 'Hang', 'GoAway', 'Stream', 'StreamThenError', 'Endless', 'NotJson', 'Missing',
];
const service: GrpcService = Object.fromEntries(NAMES.map((n) => [n, json(n)]));

/** Resolves with the RST code when the client resets a stream of Hang/Endless/Huge. */
let clientReset: Promise<number> = Promise.resolve(-1);
let hangStarted: () => void = () => undefined;

function watchReset(stream: http2.ServerHttp2Stream): void {
  clientReset = new Promise((resolve) => stream.on('close', () => resolve(stream.rstCode)));
}

const delay = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const handlers: Record<string, RawHandler> = {
  '/test.Svc/Echo': (stream, _h, req) => reply(stream, [frame(req)]),
  '/test.Svc/Headers': (stream, h) => reply(stream, [frame(JSON.stringify(h))]),
  '/test.Svc/TrailersOnly': (stream) =>
    stream.respond({ ...GRPC_HEADERS, ...trailers(5, 'pod %22p1%22 not found %E2%9C%97') }, { endStream: true }),
  '/test.Svc/Http503': (stream) => {
    stream.respond({ ':status': 503, 'content-type': 'text/plain' });
    stream.end('busy');
  },
  '/test.Svc/Html': (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'text/html' });
    stream.end('<html></html>');
  },
  '/test.Svc/NoStatus': (stream) => {
    stream.respond(GRPC_HEADERS);
    stream.end(frame('{}'));
  },
  '/test.Svc/Empty': (stream) => reply(stream, []),
  '/test.Svc/Two': (stream) => reply(stream, [frame('{}'), frame('{}')]),
  '/test.Svc/Compressed': (stream) => reply(stream, [frame('{}', 1)]),
  '/test.Svc/Huge': (stream) => {
    watchReset(stream);
    reply(stream, [frame(Buffer.alloc(MAX_MESSAGE_BYTES + 1, 0x20))]);
  },
  '/test.Svc/Refused': (stream) => stream.close(http2.constants.NGHTTP2_REFUSED_STREAM),
  '/test.Svc/Split': (stream) => {
    // One 200 KiB message in 1 KiB DATA frames, its header itself cut in two.
    const body = frame(JSON.stringify({ text: 'x'.repeat(200 * 1024) }));
    stream.respond(GRPC_HEADERS, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers(0)));
    void (async () => {
      stream.write(body.subarray(0, 2));
      await delay();
      for (let i = 2; i < body.length; i += 1024) {
        stream.write(body.subarray(i, Math.min(i + 1024, body.length)));
        await delay();
      }
      stream.end();
    })();
  },
  '/test.Svc/Hang': (stream) => {
    watchReset(stream);
    hangStarted();
  },
  '/test.Svc/GoAway': (stream) => {
    // A graceful shutdown: GOAWAY first (this stream may finish), the reply, then the close.
    const session = stream.session;
    session?.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id ?? 0);
    reply(stream, [frame('{"bye":true}')]);
    stream.on('close', () => session?.close());
  },
  '/test.Svc/Stream': (stream) => {
    stream.respond(GRPC_HEADERS, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers(trailers(0)));
    // Two messages packed into one write, then one split across two writes, then 300 more.
    stream.write(Buffer.concat([frame('{"n":0}'), frame('{"n":1}')]));
    const third = frame('{"n":2}');
    stream.write(third.subarray(0, 4));
    stream.write(third.subarray(4));
    for (let n = 3; n < 303; n++) stream.write(frame(JSON.stringify({ n })));
    stream.end();
  },
  '/test.Svc/StreamThenError': (stream) => reply(stream, [frame('{"n":0}')], 13, 'runtime crashed'),
  '/test.Svc/Endless': (stream) => {
    watchReset(stream);
    stream.respond(GRPC_HEADERS);
    stream.write(frame('{"n":0}'));
  },
  '/test.Svc/NotJson': (stream) => reply(stream, [frame('not json')]),
};

let srv: RawGrpcServer;
let ch: CriChannel;

before(async () => {
  srv = await startRawGrpcServer(handlers);
  ch = new CriChannel(`unix://${srv.socketPath}`, service);
});

after(async () => {
  ch.dispose();
  await srv.dispose();
});

const call = (rpc: string, req: object = {}, timeoutMs?: number, signal?: AbortSignal) => ch.unary(rpc, req, { timeoutMs, signal });

test('a unary call sends the gRPC request headers, with grpc-timeout when there is a deadline', async () => {
  const h = await call('Headers', {}, 1500);
  assert.equal(h.str(':method'), 'POST');
  assert.equal(h.str(':path'), '/test.Svc/Headers');
  assert.equal(h.str('content-type'), 'application/grpc');
  assert.equal(h.str('te'), 'trailers');
  assert.match(h.str('user-agent'), /nodelet/);
  assert.equal(h.str('grpc-timeout'), '1500m');
  const none = await call('Headers');
  assert.equal(none.has('grpc-timeout'), false);
});

test('the request message arrives framed and the reply is decoded', async () => {
  const r = await call('Echo', { n: 7, s: 'héllo' });
  assert.equal(r.num('n'), 7);
  assert.equal(r.str('s'), 'héllo');
});

test('a Trailers-Only error reply gives its status and the percent-decoded message', async () => {
  await assert.rejects(call('TrailersOnly'), rejectsWith(ErrorCode.NotFound, /CRI TrailersOnly failed \(NOT_FOUND\): pod "p1" not found ✗$/));
});

test('replies that are not gRPC map per the HTTP-to-gRPC table', async () => {
  await assert.rejects(call('Http503'), rejectsWith(ErrorCode.Unavailable, /HTTP status 503/));
  await assert.rejects(call('Html'), rejectsWith(ErrorCode.Unknown, /text\/html/));
});

test('a stream that ends without grpc-status is Internal', async () => {
  await assert.rejects(call('NoStatus'), rejectsWith(ErrorCode.Internal, /without grpc-status/));
});

test('a unary reply with zero or two messages is Unimplemented (response cardinality)', async () => {
  await assert.rejects(call('Empty'), rejectsWith(ErrorCode.Unimplemented, /no reply message/));
  await assert.rejects(call('Two'), rejectsWith(ErrorCode.Unimplemented, /more than one/));
});

test('a compressed message is Internal; a reply that does not parse is Internal', async () => {
  await assert.rejects(call('Compressed'), rejectsWith(ErrorCode.Internal, /compressed/));
  await assert.rejects(call('NotJson'), rejectsWith(ErrorCode.Internal, /cannot parse the reply/));
});

test('a method missing from the service definition is Internal, and nothing is sent', async () => {
  await assert.rejects(ch.unary('Nope', {}, { timeoutMs: undefined }), rejectsWith(ErrorCode.Internal, /no method Nope/));
});

test('a reply over 16 MiB is ResourceExhausted, and the client resets the stream', async () => {
  await assert.rejects(call('Huge'), rejectsWith(ErrorCode.ResourceExhausted, /limit/));
  assert.equal(await clientReset, http2.constants.NGHTTP2_CANCEL);
  // The session survives a stream reset.
  assert.equal((await call('Echo', { n: 1 })).num('n'), 1);
});

test('a stream the server refuses is Unavailable', async () => {
  await assert.rejects(call('Refused'), rejectsWith(ErrorCode.Unavailable, /refused/));
});

test('a message split over many DATA frames comes out whole', async () => {
  const r = await call('Split');
  assert.equal(r.str('text'), 'x'.repeat(200 * 1024));
});

test('the deadline resets the stream with CANCEL and fails with DeadlineExceeded', async () => {
  await assert.rejects(call('Hang', {}, 100), rejectsWith(ErrorCode.DeadlineExceeded));
  assert.equal(await clientReset, http2.constants.NGHTTP2_CANCEL);
});

test('aborting resets the stream with CANCEL and fails with Cancelled', async () => {
  const ac = new AbortController();
  const started = new Promise<void>((resolve) => (hangStarted = resolve));
  const pending = call('Hang', {}, undefined, ac.signal);
  await started;
  ac.abort();
  await assert.rejects(pending, rejectsWith(ErrorCode.Cancelled, /cancelled by the caller/));
  assert.equal(await clientReset, http2.constants.NGHTTP2_CANCEL);
});

test('200 concurrent calls share one session and all succeed', async () => {
  const before = srv.sessions;
  const fresh = new CriChannel(`unix://${srv.socketPath}`, service);
  try {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, n) => fresh.unary('Echo', { n }, { timeoutMs: 30_000 })));
    assert.deepEqual(
      replies.map((r) => r.num('n')),
      Array.from({ length: 200 }, (_, n) => n),
    );
    assert.equal(srv.sessions - before, 1);
  } finally {
    fresh.dispose();
  }
});

test('a call in flight at a graceful GOAWAY completes, and the next call opens a new session', async () => {
  const fresh = new CriChannel(`unix://${srv.socketPath}`, service);
  try {
    const before = srv.sessions;
    assert.equal((await fresh.unary('GoAway', {}, { timeoutMs: undefined })).bool('bye'), true);
    assert.equal((await fresh.unary('Echo', { n: 3 }, { timeoutMs: undefined })).num('n'), 3);
    assert.equal(srv.sessions - before, 2);
  } finally {
    fresh.dispose();
  }
});

test('a server stream yields messages packed in or split across chunks, in order, then ends', async () => {
  const got: number[] = [];
  for await (const r of ch.stream('Stream', {})) got.push(r.num('n'));
  assert.deepEqual(
    got,
    Array.from({ length: 303 }, (_, n) => n),
  );
});

test('a server stream that ends with an error yields what came, then throws the mapped error', async () => {
  const got: number[] = [];
  await assert.rejects(async () => {
    for await (const r of ch.stream('StreamThenError', {})) got.push(r.num('n'));
  }, rejectsWith(ErrorCode.Internal, /runtime crashed/));
  assert.deepEqual(got, [0]);
});

test('leaving a server stream early resets it with CANCEL', async () => {
  for await (const r of ch.stream('Endless', {})) {
    assert.equal(r.num('n'), 0);
    break;
  }
  assert.equal(await clientReset, http2.constants.NGHTTP2_CANCEL);
});

test('a dropped connection fails the call in flight with Unavailable; calls work again once the server is back', async () => {
  const fresh = new CriChannel(`unix://${srv.socketPath}`, service);
  try {
    const started = new Promise<void>((resolve) => (hangStarted = resolve));
    const pending = fresh.unary('Hang', {}, { timeoutMs: 60_000 });
    await started;
    await srv.stop();
    await assert.rejects(pending, rejectsWith(ErrorCode.Unavailable));
    await assert.rejects(fresh.unary('Echo', { n: 1 }, { timeoutMs: 60_000 }), rejectsWith(ErrorCode.Unavailable));
    await srv.restart();
    assert.equal((await fresh.unary('Echo', { n: 2 }, { timeoutMs: 60_000 })).num('n'), 2);
  } finally {
    fresh.dispose();
  }
});

test('dispose fails calls in flight with Unavailable, and later calls too', async () => {
  const fresh = new CriChannel(`unix://${srv.socketPath}`, service);
  const started = new Promise<void>((resolve) => (hangStarted = resolve));
  const pending = fresh.unary('Hang', {}, { timeoutMs: 60_000 });
  await started;
  fresh.dispose();
  await assert.rejects(pending, rejectsWith(ErrorCode.Unavailable));
  await assert.rejects(fresh.unary('Echo', {}, { timeoutMs: 60_000 }), rejectsWith(ErrorCode.Unavailable, /disposed/));
});

test('an idle channel does not keep the process alive', async () => {
  // A child process makes one call and never disposes; it must still exit by itself.
  const channelUrl = new URL('../../../src/cri/channel.js', import.meta.url).href;
  const script = `
    import { CriChannel } from ${JSON.stringify(channelUrl)};
    const m = { path: '/test.Svc/Echo', requestSerialize: (o) => Buffer.from(JSON.stringify(o)), responseDeserialize: (b) => JSON.parse(b.toString()) };
    const ch = new CriChannel(${JSON.stringify(`unix://${srv.socketPath}`)}, { Echo: m });
    const r = await ch.unary('Echo', { n: 42 }, { timeoutMs: 60_000 });
    console.log(r.num('n'));
  `;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000, cwd: fileURLToPath(new URL('.', import.meta.url)) }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
  assert.equal(out.trim(), '42');
});
