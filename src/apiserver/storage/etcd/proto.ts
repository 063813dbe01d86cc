// Loads etcd.proto once and hands out the KV and Watch method definitions, plus typed readers
// for the replies (which arrive as `unknown`: data from outside is checked, not trusted).
//
// Where the .proto lives at runtime: tsc does not copy it, and the package ships src/, so from
// dist/src/apiserver/storage/etcd/proto.js we resolve into the source tree; a copy next to the
// module (a bundle, or running the .ts directly) is preferred when present.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';
import { ErrorCode, NodeletError } from '../../../base/errors.js';

export type EtcdMethod = protoLoader.MethodDefinition<object, object>;

// snake_case fields as in the .proto, int64 as exact decimal strings, enums by name, bytes as Buffer.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

const CANDIDATES = ['./etcd.proto', '../../../../../src/apiserver/storage/etcd/etcd.proto'];

function protoPath(): string {
  const tried: string[] = [];
  for (const rel of CANDIDATES) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
    tried.push(file);
  }
  throw new NodeletError(ErrorCode.Internal, `etcd.proto not found (looked at ${tried.join(', ')}); reinstall nodelet`);
}

export interface EtcdMethods {
  range: EtcdMethod;
  put: EtcdMethod;
  deleteRange: EtcdMethod;
  txn: EtcdMethod;
  compact: EtcdMethod;
  watch: EtcdMethod;
}

let cached: EtcdMethods | undefined;

export function etcdMethods(): EtcdMethods {
  if (cached) return cached;
  const pkg = protoLoader.loadSync(protoPath(), LOADER_OPTIONS);
  const method = (service: string, name: string): EtcdMethod => {
    const def = pkg[`etcdserverpb.${service}`];
    const m = def !== undefined && !('format' in def) ? def[name] : undefined;
    if (m === undefined) throw new NodeletError(ErrorCode.Internal, `etcd.proto has no ${service}.${name}`);
    return m;
  };
  cached = {
    range: method('KV', 'Range'),
    put: method('KV', 'Put'),
    deleteRange: method('KV', 'DeleteRange'),
    txn: method('KV', 'Txn'),
    compact: method('KV', 'Compact'),
    watch: method('Watch', 'Watch'),
  };
  return cached;
}

function malformed(path: string, expected: string, value: unknown): NodeletError {
  return new NodeletError(ErrorCode.Internal, `malformed etcd reply: ${path} is not ${expected} (${typeof value})`);
}

/** Field access over a decoded message; absent fields read as proto3 defaults. */
export class Msg {
  private constructor(
    private readonly obj: Readonly<Record<string, unknown>>,
    readonly path: string,
  ) {}

  static of(value: unknown, path: string): Msg {
    if (value === undefined || value === null) return new Msg({}, path);
    if (typeof value !== 'object' || Array.isArray(value)) throw malformed(path, 'a message', value);
    return new Msg(value as Record<string, unknown>, path);
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  msg(key: string): Msg {
    return Msg.of(this.obj[key], `${this.path}.${key}`);
  }

  list(key: string): Msg[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw malformed(`${this.path}.${key}`, 'a list', v);
    return v.map((item: unknown, i) => Msg.of(item, `${this.path}.${key}[${i}]`));
  }

  /** int64 (a decimal string from the loader) as a number: revisions stay far below 2^53. */
  int(key: string): number {
    const v = this.obj[key];
    if (v === undefined || v === null || v === '') return 0;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
    throw malformed(`${this.path}.${key}`, 'an integer', v);
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw malformed(`${this.path}.${key}`, 'a boolean', v);
    return v;
  }

  str(key: string): string {
    const v = this.obj[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw malformed(`${this.path}.${key}`, 'a string', v);
    return v;
  }

  bytes(key: string): Buffer {
    const v = this.obj[key];
    if (v === undefined || v === null) return Buffer.alloc(0);
    if (Buffer.isBuffer(v)) return v;
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    throw malformed(`${this.path}.${key}`, 'bytes', v);
  }
}
