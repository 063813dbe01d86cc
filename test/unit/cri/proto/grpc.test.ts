// The codecs plug into grpc-js as proto-loader's definitions do: a server built from
// criServiceCodec answers a client that calls with criMethodCodec's path and (de)serializers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { criMethodCodec, criServiceCodec } from '../../../../src/cri/proto/codec.js';
import * as fx from './fixtures.js';

test('grpc-js unary call through codec.ts on both ends', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cri-codec-'));
  const target = `unix://${join(dir, 's.sock')}`;
  const server = new grpc.Server();
  const service: grpc.ServiceDefinition = criServiceCodec('RuntimeService');
  let seen: unknown;
  server.addService(service, {
    ListContainers: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      seen = call.request;
      cb(null, fx.listContainersResponse);
    },
  });
  await new Promise<void>((resolve, reject) => server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  const client = new grpc.Client(target, grpc.credentials.createInsecure());
  try {
    const m = criMethodCodec('RuntimeService', 'ListContainers');
    const reply = await new Promise<unknown>((resolve, reject) => {
      client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, { filter: { labelSelector: { app: 'web' } } }, (err, r) =>
        err ? reject(err) : resolve(r),
      );
    });
    assert.deepStrictEqual((seen as { filter: { labelSelector: unknown } }).filter.labelSelector, { app: 'web' });
    const containers = (reply as { containers: { createdAt: string; labels: Record<string, string> }[] }).containers;
    assert.equal(containers.length, 30);
    assert.equal(containers[7]?.createdAt, '1700000000007000861');
    assert.equal(containers[7]?.labels['io.kubernetes.pod.name'], 'pod-7');
  } finally {
    client.close();
    server.forceShutdown();
    await rm(dir, { recursive: true, force: true });
  }
});
