// Protobuf wire primitives: varints (32 and 64 bit as two uint32 halves), zigzag, fixed
// widths, length-delimited fields. No allocation per value apart from strings and bytes; 64-bit
// results land in the `lo`/`hi` fields, so nothing returns a pair.
import { ErrorCode, NodeletError } from '../../base/errors.js';

export const WT = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const TWO32 = 4294967296;

/** Node's Buffer has this (undocumented, used by protobufjs too); checked before use. */
interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}
// Nesting of unknown groups we skip; CRI has none, so this only bounds hostile input.
const MAX_GROUP_DEPTH = 32;

export class WireReader {
  pos = 0;
  /** Low and high halves (uint32) of the last 64-bit read. */
  lo = 0;
  hi = 0;
  /** The message type being decoded, for error messages. */
  type = '';

  private readonly utf8: boolean;

  constructor(readonly buf: Buffer) {
    this.utf8 = typeof (buf as Partial<FastBuffer>).utf8Slice === 'function';
  }

  fail(what: string): NodeletError {
    return new NodeletError(ErrorCode.Internal, `malformed CRI message ${this.type}: ${what} at byte ${this.pos}`);
  }

  /** A varint's low 32 bits, unsigned (tags, lengths, int32/uint32/enum/bool). */
  varint32(end: number): number {
    const buf = this.buf;
    const pos = this.pos;
    if (pos < end) {
      const b = buf[pos] as number;
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    this.varint64(end);
    return this.lo;
  }

  /** A varint of up to 10 bytes into lo/hi. */
  varint64(end: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw this.fail('truncated varint');
      b = buf[pos++] as number;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return this.done64(pos, lo, 0);
    }
    if (pos >= end) throw this.fail('truncated varint');
    b = buf[pos++] as number;
    lo |= (b & 0x7f) << 28;
    let hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.done64(pos, lo, hi);
    for (let shift = 3; shift < 32; shift += 7) {
      if (pos >= end) throw this.fail('truncated varint');
      b = buf[pos++] as number;
      hi |= (b & 0x7f) << shift;
      if (b < 0x80) return this.done64(pos, lo, hi);
    }
    throw this.fail('varint longer than 10 bytes');
  }

  private done64(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Reads a length prefix and returns where the field ends; checks it against `end`. */
  len(end: number): number {
    const n = this.varint32(end);
    const stop = this.pos + n;
    if (stop > end) throw this.fail(`length ${n} past the end`);
    return stop;
  }

  /** Moves past `n` fixed-width bytes and returns where they start; checks them against `end`. */
  private fixed(n: number, end: number, what: string): number {
    const pos = this.pos;
    if (pos + n > end) throw this.fail(`truncated ${what}`);
    this.pos = pos + n;
    return pos;
  }

  fixed32(end: number): number {
    return this.buf.readUInt32LE(this.fixed(4, end, 'fixed32'));
  }

  /** 8 little-endian bytes into lo/hi. */
  fixed64(end: number): void {
    const pos = this.fixed(8, end, 'fixed64');
    this.lo = this.buf.readUInt32LE(pos);
    this.hi = this.buf.readUInt32LE(pos + 4);
  }

  float(end: number): number {
    return this.buf.readFloatLE(this.fixed(4, end, 'float'));
  }

  double(end: number): number {
    return this.buf.readDoubleLE(this.fixed(8, end, 'double'));
  }

  string(end: number): string {
    const buf = this.buf;
    let start = this.pos;
    let stop: number;
    // Most CRI strings are shorter than 128 bytes: a one-byte length, read inline.
    const b = start < end ? (buf[start] as number) : 0x80;
    if (b < 0x80) {
      start++;
      stop = start + b;
      if (stop > end) throw this.fail(`length ${b} past the end`);
    } else {
      stop = this.len(end);
      start = this.pos;
    }
    this.pos = stop;
    if (start === stop) return '';
    // Buffer's own utf8Slice (what toString('utf8') ends in) skips toString's argument checks,
    // which cost as much as the decoding itself without an optimizing compiler.
    return this.utf8 ? (buf as FastBuffer).utf8Slice(start, stop) : buf.toString('utf8', start, stop);
  }

  /** A view into the input (as protobufjs gives), not a copy. */
  bytes(end: number): Buffer {
    const stop = this.len(end);
    const start = this.pos;
    this.pos = stop;
    return this.buf.subarray(start, stop);
  }

  /** Skips the value of an unknown field with wire type `wt` (after its tag). */
  skip(wt: number, no: number, end: number, depth = 0): void {
    switch (wt) {
      case WT.VARINT:
        this.varint64(end);
        return;
      case WT.I64:
        if (this.pos + 8 > end) throw this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WT.LEN:
        this.pos = this.len(end);
        return;
      case WT.I32:
        if (this.pos + 4 > end) throw this.fail('truncated fixed32');
        this.pos += 4;
        return;
      case WT.SGROUP:
        if (depth >= MAX_GROUP_DEPTH) throw this.fail('groups nested too deep');
        for (;;) {
          const tag = this.varint32(end);
          if ((tag & 7) === WT.EGROUP) {
            if (tag >>> 3 !== no) throw this.fail(`end of group ${tag >>> 3} inside group ${no}`);
            return;
          }
          if (tag >>> 3 === 0) throw this.fail('field number 0');
          this.skip(tag & 7, tag >>> 3, end, depth + 1);
        }
      default:
        throw this.fail(`unexpected wire type ${wt} of field ${no}`);
    }
  }
}

/** lo/hi as a decimal string, signed (int64 family) or unsigned; exact over the whole range. */
export function int64String(lo: number, hi: number, signed: boolean): string {
  if (hi === 0) return String(lo);
  if (hi < 0x200000) return String(hi * TWO32 + lo);
  if (signed && hi >= 0xffe00000) return String((hi - TWO32) * TWO32 + lo);
  const u = (BigInt(hi) << 32n) | BigInt(lo);
  return (signed ? BigInt.asIntN(64, u) : u).toString();
}

/** Zigzag-decodes lo/hi in place on the reader (sint64). */
export function unzigzag64(rd: WireReader): void {
  const mask = -(rd.lo & 1);
  const lo = ((rd.lo >>> 1) | (rd.hi << 31)) ^ mask;
  rd.hi = ((rd.hi >>> 1) ^ mask) >>> 0;
  rd.lo = lo >>> 0;
}

export class WireWriter {
  buf: Buffer;
  pos = 0;
  /** Halves of the last int64 that setInt64 accepted. */
  lo = 0;
  hi = 0;

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** The bytes written so far (a view, valid until the writer is used again). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** An unsigned 32-bit varint (tags, lengths, uint32, non-negative int32). */
  varint32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    v >>>= 0;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** int32 values: negatives are sign-extended to 10 bytes, as the spec requires. */
  int32(v: number): void {
    if (v >= 0) this.varint32(v);
    else this.varint64(v >>> 0, 0xffffffff);
  }

  varint64(lo: number, hi: number): void {
    if (hi === 0) {
      this.varint32(lo);
      return;
    }
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    // Low 28 bits, then 4 bits of lo with 3 of hi, then the rest of hi.
    for (let i = 0; i < 4; i++) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    let b = (lo & 0x0f) | ((hi & 0x07) << 4);
    hi >>>= 3;
    while (hi !== 0) {
      buf[pos++] = b | 0x80;
      b = hi & 0x7f;
      hi >>>= 7;
    }
    buf[pos++] = b;
    this.pos = pos;
  }

  tag(no: number, wt: number): void {
    this.varint32(((no << 3) | wt) >>> 0);
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeUInt32LE(v >>> 0, this.pos);
  }

  fixed64(lo: number, hi: number): void {
    this.ensure(8);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.pos = this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
  }

  float(v: number): void {
    this.ensure(4);
    this.pos = this.buf.writeFloatLE(v, this.pos);
  }

  double(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  string(s: string): void {
    // Up to 42 UTF-16 units encode to at most 126 bytes: a one-byte length, written after.
    if (s.length < 43) {
      this.ensure(1 + s.length * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint32(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.varint32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Starts a length-delimited field whose length is not known yet; pass the result to ldelim. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Writes the length of the field started at `at`, moving its body when it needs > 1 byte. */
  ldelim(at: number): void {
    const n = this.pos - at - 1;
    if (n < 0x80) {
      this.buf[at] = n;
      return;
    }
    let size = 1;
    for (let v = n >>> 7; v !== 0; v >>>= 7) size++;
    this.ensure(size - 1);
    const buf = this.buf;
    buf.copyWithin(at + size, at + 1, this.pos);
    // Written by hand: varint32() could grow the buffer and drop the body past `at`.
    let pos = at;
    let v = n;
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos] = v;
    this.pos = at + size + n;
  }

  /**
   * Accepts an int64 in any form the client may hold (number, decimal string, bigint, Long-like
   * {low, high}) into lo/hi (two's complement). False when it is not an integer in range.
   */
  setInt64(v: unknown): boolean {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return false;
      if (v >= 0 && v < TWO32) return this.set64(v, 0);
      if (v < 0 && v >= -0x80000000) return this.set64(v >>> 0, 0xffffffff);
      return this.setBig(BigInt(v));
    }
    if (typeof v === 'string') {
      if (!/^-?\d+$/.test(v)) return false;
      if (v.length <= 15) return this.setInt64(Number(v));
      return this.setBig(BigInt(v));
    }
    if (typeof v === 'bigint') return this.setBig(v);
    if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) {
      const { low, high } = v;
      if (typeof low !== 'number' || typeof high !== 'number') return false;
      return this.set64(low >>> 0, high >>> 0);
    }
    return false;
  }

  private set64(lo: number, hi: number): boolean {
    this.lo = lo;
    this.hi = hi;
    return true;
  }

  private setBig(b: bigint): boolean {
    if (b < -(2n ** 63n) || b >= 2n ** 64n) return false;
    const u = BigInt.asUintN(64, b);
    return this.set64(Number(u & 0xffffffffn), Number(u >> 32n));
  }
}

/** Zigzag-encodes the writer's lo/hi in place (sint64). */
export function zigzag64(w: WireWriter): void {
  const mask = w.hi >> 31;
  const hi = ((w.hi << 1) | (w.lo >>> 31)) ^ mask;
  w.lo = ((w.lo << 1) ^ mask) >>> 0;
  w.hi = hi >>> 0;
}
