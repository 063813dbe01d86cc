// Loads api.proto with proto-loader once and hands out the two CRI service definitions: for
// servers such as test fakes, and as an independent reference for proto/codec.ts in its tests.
// The client itself uses the generated codec (no .proto parsing, no reflection at run time).
//
// Where the .proto lives at runtime: tsc does not copy it, and the package ships src/, so from the
// compiled dist/src/cri/proto/load.js we resolve into the source tree (../../../../src/cri/proto/).
// A copy next to this module (a bundle, or running the .ts directly) is preferred when present.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { ErrorCode, NodeletError } from '../../base/errors.js';

/** A method of a service as proto-loader describes it: path plus (de)serializers. */
export type CriMethod = protoLoader.MethodDefinition<object, object>;
export type CriService = protoLoader.ServiceDefinition;

export interface CriProto {
  readonly runtimeService: CriService;
  readonly imageService: CriService;
}

// Replies come as plain objects: camelCase fields, int64 as decimal strings (exact), enums as
// their names, unset scalars filled with defaults, unset messages as null.
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

const CANDIDATES = ['./api.proto', '../../../../src/cri/proto/api.proto'];

/** Absolute path of api.proto, or throws Internal naming where it looked. */
export function criProtoPath(): string {
  const tried: string[] = [];
  for (const rel of CANDIDATES) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
    tried.push(file);
  }
  throw new NodeletError(ErrorCode.Internal, `CRI api.proto not found (looked at ${tried.join(', ')}); reinstall nodelet`);
}

let cached: CriProto | undefined;

/** Parses api.proto on first use; later calls return the same (immutable) definitions. */
export function loadCriProto(): CriProto {
  if (cached) return cached;
  const pkg = protoLoader.loadSync(criProtoPath(), LOADER_OPTIONS);
  cached = {
    runtimeService: service(pkg, 'runtime.v1.RuntimeService'),
    imageService: service(pkg, 'runtime.v1.ImageService'),
  };
  return cached;
}

function service(pkg: protoLoader.PackageDefinition, name: string): CriService {
  const def = pkg[name];
  // Message and enum definitions carry a `format`; services are maps of methods.
  if (def === undefined || 'format' in def) {
    throw new NodeletError(ErrorCode.Internal, `CRI proto has no service ${name}`);
  }
  return def;
}

/** One method of a service, or Internal if the proto lacks it (a programming error). */
export function criMethod(svc: CriService, name: string): CriMethod {
  const m = svc[name];
  if (m === undefined) throw new NodeletError(ErrorCode.Internal, `CRI proto has no method ${name}`);
  return m;
}
