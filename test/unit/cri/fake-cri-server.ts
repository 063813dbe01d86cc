// An in-process CRI server on a unix socket in a temp dir, serving handlers from the same proto.
import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCriProto } from '../../../src/cri/proto/load.js';

export interface FakeCri {
  readonly endpoint: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startFakeCri(
  runtime: grpc.UntypedServiceImplementation,
  images: grpc.UntypedServiceImplementation = {},
): Promise<FakeCri> {
  // Short path: unix socket paths are limited to 107 bytes.
  const dir = await mkdtemp(join(tmpdir(), 'cri-'));
  const endpoint = `unix://${join(dir, 'cri.sock')}`;
  const proto = loadCriProto();
  const server = new grpc.Server();
  // Unimplemented methods answer UNIMPLEMENTED, as an older runtime would.
  server.addService(proto.runtimeService, runtime);
  server.addService(proto.imageService, images);
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(endpoint, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
  });
  return {
    endpoint,
    dir,
    async stop() {
      server.forceShutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A gRPC error for a handler's callback. */
export function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
}
