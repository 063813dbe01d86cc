// Encodes and decodes CRI v1 messages by interpreting the generated table (cri-descriptors.ts):
// no reflection and no generated functions, so that it is cheap under Ignition/Sparkplug.
//
// Object form is proto-loader's with { keepCase: false, longs: String, enums: String,
// defaults: true, oneofs: true }: camelCase keys; 64-bit integers as decimal strings; enums as
// names (an unknown number stays a number); bytes as Buffer; maps as plain objects; unset scalars
// as their default, repeated as [], maps as {}, messages as null. Encoding takes the same form,
// with numbers, bigints or Long-likes for 64-bit fields, and omits default scalars.
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { CRI_PACKAGE, SERVICES } from './cri-descriptors.js';
import { decodeWith } from './decoder.js';
import { encodeWith } from './encoder.js';
import { msgByName, msgInfo, type CriMessage } from './tables.js';

export type { CriMessage } from './tables.js';
export type CriServiceName = 'RuntimeService' | 'ImageService';

/** A method as grpc-js wants it (the fields of proto-loader's MethodDefinition). */
export interface CriMethodCodec {
  readonly path: string;
  readonly requestStream: false;
  readonly responseStream: boolean;
  readonly requestType: string;
  readonly responseType: string;
  requestSerialize(obj: object): Buffer;
  requestDeserialize(buf: Buffer): CriMessage;
  responseSerialize(obj: object): Buffer;
  responseDeserialize(buf: Buffer): CriMessage;
}

/** Encodes a message of `type` ("PodSandboxConfig" or "runtime.v1.PodSandboxConfig"). */
export function encodeCriMessage(type: string, obj: object): Buffer {
  return encodeWith(msgByName(type), obj);
}

/** Decodes a message of `type`; malformed input throws Internal naming the message type. */
export function decodeCriMessage(type: string, buf: Buffer): CriMessage {
  return decodeWith(msgByName(type), buf);
}

const methodCache = new Map<string, CriMethodCodec>();

/** The codec of one RPC, e.g. criMethodCodec('RuntimeService', 'Version'); Internal if unknown. */
export function criMethodCodec(service: CriServiceName, rpc: string): CriMethodCodec {
  const path = `/${CRI_PACKAGE}.${service}/${rpc}`;
  const have = methodCache.get(path);
  if (have) return have;
  const row = SERVICES.find((s) => s[0] === service)?.[1].find((m) => m[0] === rpc);
  if (row === undefined) throw new NodeletError(ErrorCode.Internal, `CRI proto has no method ${service}.${rpc}`);
  const req = msgInfo(row[1]);
  const res = msgInfo(row[2]);
  const made: CriMethodCodec = Object.freeze({
    path,
    requestStream: false as const,
    responseStream: row[3],
    requestType: req.name,
    responseType: res.name,
    requestSerialize: (obj: object) => encodeWith(req, obj),
    requestDeserialize: (buf: Buffer) => decodeWith(req, buf),
    responseSerialize: (obj: object) => encodeWith(res, obj),
    responseDeserialize: (buf: Buffer) => decodeWith(res, buf),
  });
  methodCache.set(path, made);
  return made;
}

/** Every method of a service by rpc name: a grpc-js ServiceDefinition (for servers and fakes). */
export function criServiceCodec(service: CriServiceName): Record<string, CriMethodCodec> {
  const methods = SERVICES.find((s) => s[0] === service)?.[1] ?? [];
  return Object.fromEntries(methods.map((m) => [m[0], criMethodCodec(service, m[0])]));
}

/** Method names of a service, in .proto order. */
export function criMethodNames(service: CriServiceName): string[] {
  return (SERVICES.find((s) => s[0] === service)?.[1] ?? []).map((m) => m[0]);
}
