import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { ErrorCode } from '../../../src/base/errors.js';
import { rejectsWith } from './rejects-with.js';
import { CriClient } from '../../../src/cri/client.js';
import { startFakeCri, grpcError, type FakeCri } from './fake-cri-server.js';

type Req = Record<string, unknown>;
type Unary = (call: grpc.ServerUnaryCall<Req, unknown>, cb: grpc.sendUnaryData<unknown>) => void;
type ServerStream = (call: grpc.ServerWritableStream<Req, unknown>) => void;

const seen: Record<string, Req> = {};
/** Resolves when the server sees the client cancel a slow call. */
let serverSawCancel: Promise<string> = Promise.resolve('');

function record(name: string, handler: Unary): Unary {
  return (call, cb) => {
    seen[name] = call.request;
    handler(call, cb);
  };
}

/** A handler that never answers; it notes when the client gives up. */
const hang: Unary = (call) => {
  serverSawCancel = new Promise((resolve) => call.on('cancelled', () => resolve('cancelled')));
};

const runtime: Record<string, Unary | ServerStream> = {
  Version: record('Version', (_call, cb) =>
    cb(null, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.2.3', runtimeApiVersion: 'v1' }),
  ),
  ContainerStatus: record('ContainerStatus', (call, cb) =>
    cb(grpcError(grpc.status.NOT_FOUND, `container "${String(call.request.containerId)}" not found`)),
  ),
  StopPodSandbox: record('StopPodSandbox', (_call, cb) => cb(grpcError(grpc.status.NOT_FOUND, 'sandbox not found'))),
  RemoveContainer: record('RemoveContainer', (_call, cb) => cb(grpcError(grpc.status.UNKNOWN, 'disk on fire'))),
  ListContainers: record('ListContainers', (_call, cb) =>
    cb(null, {
      containers: [
        {
          id: 'c1',
          podSandboxId: 'p1',
          metadata: { name: 'app', attempt: 1 },
          image: { image: 'registry.local/busybox:1' },
          state: 'CONTAINER_RUNNING',
          createdAt: '1700000000123456789',
          labels: { app: 'web' },
        },
      ],
    }),
  ),
  ExecSync: record('ExecSync', (_call, cb) =>
    cb(null, { stdout: Buffer.from('hello\n'), stderr: Buffer.from([0xff, 0x00]), exitCode: 3 }),
  ),
  ListPodSandbox: hang,
  PodSandboxStatus: hang,
  GetContainerEvents: (call: grpc.ServerWritableStream<Req, unknown>) => {
    call.write({ containerId: 'c1', containerEventType: 'CONTAINER_STARTED_EVENT', createdAt: '1700000000000000007' });
    call.write({ containerId: 'c1', containerEventType: 'CONTAINER_STOPPED_EVENT', createdAt: '1700000000000000008' });
    call.end();
  },
};

const images: Record<string, Unary> = {
  ImageStatus: (_call, cb) => cb(null, {}),
  PullImage: record('PullImage', (_call, cb) => cb(null, { imageRef: 'sha256:abc' })),
};

let fake: FakeCri;
let cri: CriClient;

before(async () => {
  fake = await startFakeCri(runtime, images);
  cri = new CriClient({ endpoint: fake.endpoint, timeoutMs: 5000 });
});

after(async () => {
  cri.dispose();
  await fake.stop();
});

test('Version round-trips and sends the CRI API version', async () => {
  const v = await cri.version();
  assert.deepEqual(v, { version: '0.1.0', runtimeName: 'fake', runtimeVersion: '1.2.3', runtimeApiVersion: 'v1' });
  assert.equal(seen.Version?.version, 'v1');
});

test('a NOT_FOUND reply becomes NotFound naming the RPC, with the gRPC error as cause', async () => {
  await assert.rejects(cri.containerStatus('nope'), (err: unknown) => {
    rejectsWith(ErrorCode.NotFound, /CRI ContainerStatus/)(err);
    const cause = (err as Error).cause as { code?: unknown };
    assert.equal(cause.code, grpc.status.NOT_FOUND);
    return true;
  });
  assert.equal(seen.ContainerStatus?.containerId, 'nope');
});

test('idempotent removals treat NotFound as done but surface other failures', async () => {
  await cri.stopPodSandbox('gone');
  assert.equal(seen.StopPodSandbox?.podSandboxId, 'gone');
  await assert.rejects(cri.removeContainer('c1'), rejectsWith(ErrorCode.Unknown, /CRI RemoveContainer/));
});

test('listContainers sends the filter and decodes int64 timestamps exactly', async () => {
  const list = await cri.listContainers({ labelSelector: { app: 'web' }, podSandboxId: 'p1', state: 'CONTAINER_RUNNING' });
  assert.deepEqual(seen.ListContainers?.filter, {
    id: '',
    podSandboxId: 'p1',
    labelSelector: { app: 'web' },
    state: { state: 'CONTAINER_RUNNING' },
  });
  assert.equal(list.length, 1);
  assert.equal(list[0]?.createdAt, 1_700_000_000_123_456_789n);
  assert.equal(list[0]?.state, 'CONTAINER_RUNNING');
  assert.equal(list[0]?.image.image, 'registry.local/busybox:1');
});

test('execSync returns raw output bytes and a non-zero exit code as a result', async () => {
  const res = await cri.execSync('c1', ['sh', '-c', 'echo hello; exit 3'], 5);
  assert.deepEqual(res, { stdout: Buffer.from('hello\n'), stderr: Buffer.from([0xff, 0x00]), exitCode: 3 });
  assert.equal(seen.ExecSync?.timeout, '5');
  assert.deepEqual(seen.ExecSync?.cmd, ['sh', '-c', 'echo hello; exit 3']);
});

test('a slow runtime hits the deadline: DeadlineExceeded, and the runtime sees the call cancelled', async () => {
  const start = Date.now();
  await assert.rejects(cri.listPodSandbox(undefined, { timeoutMs: 200 }), rejectsWith(ErrorCode.DeadlineExceeded, /CRI ListPodSandbox/));
  const elapsed = Date.now() - start;
  assert.ok(elapsed >= 150 && elapsed < 2000, `took ${elapsed} ms`);
  assert.equal(await serverSawCancel, 'cancelled');
});

test('aborting the signal cancels the call in flight: Cancelled', async () => {
  const ac = new AbortController();
  const start = Date.now();
  const pending = cri.podSandboxStatus('p1', { signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(pending, rejectsWith(ErrorCode.Cancelled, /CRI PodSandboxStatus/));
  assert.ok(Date.now() - start < 2000);
  assert.equal(await serverSawCancel, 'cancelled');
});

test('an already aborted signal fails without calling the runtime', async () => {
  delete seen.Version;
  await assert.rejects(cri.version({ signal: AbortSignal.abort() }), rejectsWith(ErrorCode.Cancelled, /CRI Version/));
  assert.equal(seen.Version, undefined);
});

test('an RPC the runtime lacks is Unimplemented', async () => {
  await assert.rejects(cri.runtimeConfig(), rejectsWith(ErrorCode.Unimplemented, /CRI RuntimeConfig/));
});

test('images: a missing image is null, a pull returns the image ref', async () => {
  assert.equal(await cri.imageStatus('registry.local/none:1'), null);
  assert.equal(await cri.pullImage('registry.local/busybox:1'), 'sha256:abc');
  assert.deepEqual(seen.PullImage?.image, {
    image: 'registry.local/busybox:1',
    annotations: {},
    userSpecifiedImage: '',
    runtimeHandler: '',
    imageRef: '',
  });
});

test('containerEvents streams events until the runtime ends the stream', async () => {
  const events = [];
  for await (const ev of cri.containerEvents()) events.push(ev);
  assert.deepEqual(
    events.map((e) => [e.containerId, e.type, e.createdAt]),
    [
      ['c1', 'CONTAINER_STARTED_EVENT', 1_700_000_000_000_000_007n],
      ['c1', 'CONTAINER_STOPPED_EVENT', 1_700_000_000_000_000_008n],
    ],
  );
});

test('containerEvents on a runtime without events is Unimplemented', async () => {
  const bare = await startFakeCri({});
  const client = new CriClient({ endpoint: bare.endpoint });
  try {
    await assert.rejects(async () => {
      for await (const _ev of client.containerEvents()) assert.fail('no events expected');
    }, rejectsWith(ErrorCode.Unimplemented, /CRI GetContainerEvents/));
  } finally {
    client.dispose();
    await bare.stop();
  }
});

test('aborting containerEvents mid-stream throws Cancelled and the runtime sees the cancel', async () => {
  let cancelled: Promise<boolean> = Promise.resolve(false);
  const live = await startFakeCri({
    GetContainerEvents: (call: grpc.ServerWritableStream<Req, unknown>) => {
      cancelled = new Promise((resolve) => call.on('cancelled', () => resolve(true)));
      call.write({ containerId: 'c9', containerEventType: 'CONTAINER_CREATED_EVENT', createdAt: '1' });
    },
  });
  const client = new CriClient({ endpoint: live.endpoint });
  const ac = new AbortController();
  const got: string[] = [];
  try {
    await assert.rejects(async () => {
      for await (const ev of client.containerEvents(ac.signal)) {
        got.push(ev.containerId);
        ac.abort();
      }
    }, rejectsWith(ErrorCode.Cancelled, /CRI GetContainerEvents/));
    assert.deepEqual(got, ['c9']);
    assert.equal(await cancelled, true);
  } finally {
    client.dispose();
    await live.stop();
  }
});

test('a socket with nothing listening fails fast with Unavailable, well before the deadline', async () => {
  const dead = new CriClient({ endpoint: `unix://${join(fake.dir, 'nobody-home.sock')}` });
  try {
    const start = Date.now();
    await assert.rejects(dead.version(), rejectsWith(ErrorCode.Unavailable, /CRI Version/));
    const elapsed = Date.now() - start;
    assert.ok(elapsed < 3000, `took ${elapsed} ms; the default deadline is 2 minutes`);
  } finally {
    dead.dispose();
  }
});

test('bad client options are InvalidConfig', () => {
  assert.throws(() => new CriClient({ endpoint: 'tcp://x:1' }), rejectsWith(ErrorCode.InvalidConfig));
  assert.throws(() => new CriClient({ endpoint: '/run/x.sock', timeoutMs: 0 }), rejectsWith(ErrorCode.InvalidConfig));
});

test('negative or fractional timeouts are rejected before calling', async () => {
  await assert.rejects(cri.stopContainer('c1', -1), rejectsWith(ErrorCode.InvalidArgument));
  await assert.rejects(cri.execSync('c1', ['true'], 1.5), rejectsWith(ErrorCode.InvalidArgument));
});

test('200 concurrent calls on one channel all succeed against a grpc-js server', async () => {
  const replies = await Promise.all(Array.from({ length: 200 }, () => cri.version()));
  assert.equal(replies.length, 200);
  for (const v of replies) assert.equal(v.runtimeVersion, '1.2.3');
});
