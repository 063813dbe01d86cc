// Reads a decoded protobuf object (unknown) field by field into typed values. Missing or null
// fields give the proto3 default; a field of the wrong type is a malformed reply (Internal),
// which names the path so a runtime bug is easy to find.
import { ErrorCode, NodeletError } from '../base/errors.js';
import { int64ToBigInt, int64ToNumber } from './int64.js';

export class Reader {
  private constructor(
    private readonly obj: Readonly<Record<string, unknown>>,
    private readonly path: string,
  ) {}

  /** A reader over a message; null/undefined reads as an empty message. */
  static of(value: unknown, path: string): Reader {
    if (value === undefined || value === null) return new Reader({}, path);
    if (typeof value !== 'object' || Array.isArray(value)) throw malformed(path, 'a message', value);
    return new Reader(value as Record<string, unknown>, path);
  }

  has(key: string): boolean {
    const v = this.obj[key];
    return v !== undefined && v !== null;
  }

  str(key: string): string {
    const v = this.obj[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw malformed(this.at(key), 'a string', v);
    return v;
  }

  bool(key: string): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return false;
    if (typeof v !== 'boolean') throw malformed(this.at(key), 'a boolean', v);
    return v;
  }

  /** int32/uint32/double, and int64 fields that fit a number (see int64.ts). */
  num(key: string): number {
    const v = this.obj[key];
    if (typeof v === 'number') return v;
    return int64ToNumber(v, this.at(key));
  }

  /** An int64 that must stay exact, e.g. nanoseconds. */
  big(key: string): bigint {
    return int64ToBigInt(this.obj[key], this.at(key));
  }

  bytes(key: string): Buffer {
    const v = this.obj[key];
    if (v === undefined || v === null) return Buffer.alloc(0);
    if (Buffer.isBuffer(v)) return v;
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    throw malformed(this.at(key), 'bytes', v);
  }

  /** An enum by name. Values this build does not know (numbers) become `fallback`. */
  enumOf<T extends string>(key: string, known: readonly T[], fallback: T): T {
    const v = this.obj[key];
    if (v === undefined || v === null) return fallback;
    return (known as readonly unknown[]).includes(v) ? (v as T) : fallback;
  }

  /** An open enum (e.g. Signal) by name; a value this build does not know becomes `fallback`. */
  enumName(key: string, fallback: string): string {
    const v = this.obj[key];
    return typeof v === 'string' ? v : fallback;
  }

  /** A nested message, or undefined when unset. */
  msg(key: string): Reader | undefined {
    return this.has(key) ? Reader.of(this.obj[key], this.at(key)) : undefined;
  }

  /** A UInt64Value/Int64Value wrapper as a number, or undefined when unset. */
  wrapped(key: string): number | undefined {
    return this.msg(key)?.num('value');
  }

  /** A UInt64Value wrapper that must stay exact (nanosecond counters). */
  wrappedBig(key: string): bigint | undefined {
    return this.msg(key)?.big('value');
  }

  list<T>(key: string, item: (r: Reader) => T): T[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw malformed(this.at(key), 'a list', v);
    return v.map((e, i) => item(Reader.of(e, `${this.at(key)}[${i}]`)));
  }

  strings(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((e) => typeof e === 'string')) throw malformed(this.at(key), 'a string list', v);
    return [...(v as string[])];
  }

  numbers(key: string): number[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw malformed(this.at(key), 'a list', v);
    return v.map((e: unknown, i) => (typeof e === 'number' ? e : int64ToNumber(e, `${this.at(key)}[${i}]`)));
  }

  /** A map<string, string>. */
  map(key: string): Record<string, string> {
    const v = this.obj[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw malformed(this.at(key), 'a map', v);
    const out: Record<string, string> = {};
    for (const [k, e] of Object.entries(v)) {
      if (typeof e !== 'string') throw malformed(`${this.at(key)}.${k}`, 'a string', e);
      out[k] = e;
    }
    return out;
  }

  private at(key: string): string {
    return `${this.path}.${key}`;
  }
}

function malformed(path: string, want: string, got: unknown): NodeletError {
  const kind = got === null ? 'null' : Array.isArray(got) ? 'array' : typeof got;
  return new NodeletError(ErrorCode.Internal, `malformed CRI reply: ${path} should be ${want}, got ${kind}`);
}
