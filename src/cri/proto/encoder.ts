// Encoding by table: proto-loader's object form into bytes, fields in number order, default
// scalars left out (proto3 implicit presence).
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { F, K } from './schema.js';
import { enumInfo, msgInfo, MAX_DEPTH, type CriMessage, type FieldInfo, type MsgInfo } from './tables.js';
import { WT, WireWriter, zigzag64 } from './wire.js';

function encodeMsg(w: WireWriter, mi: MsgInfo, obj: CriMessage, depth: number): void {
  if (depth > MAX_DEPTH) throw encodeError(mi, '', 'messages nested too deep');
  const fields = mi.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as FieldInfo;
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.flags === 0) {
      writeValue(w, mi, f, v, true, depth);
    } else if (f.flags & F.MAP) {
      if (typeof v !== 'object' || Array.isArray(v)) throw encodeError(mi, f.name, 'not an object');
      const map = v as CriMessage;
      for (const key of Object.keys(map)) {
        w.tag(f.no, WT.LEN);
        const at = w.fork();
        w.tag(1, WT.LEN);
        w.string(key);
        const value = map[key];
        if (value === undefined || value === null) throw encodeError(mi, `${f.name}.${key}`, 'null value');
        w.tag(2, f.wt);
        writeValue(w, mi, f, value, false, depth);
        w.ldelim(at);
      }
    } else {
      if (!Array.isArray(v)) throw encodeError(mi, f.name, 'not an array');
      if (v.length === 0) continue;
      const packed = (f.flags & F.PACKED) !== 0;
      let at = 0;
      if (packed) {
        w.tag(f.no, WT.LEN);
        at = w.fork();
      }
      for (const e of v as unknown[]) {
        if (e === undefined || e === null) throw encodeError(mi, f.name, 'null element');
        if (!packed) w.tag(f.no, f.wt);
        writeValue(w, mi, f, e, false, depth);
      }
      if (packed) w.ldelim(at);
    }
  }
}

/**
 * Writes one value. With `tagged` (a singular field) the tag is written first, and nothing at
 * all when the value is the type's default (proto3 implicit presence); otherwise only the value.
 */
function writeValue(w: WireWriter, mi: MsgInfo, f: FieldInfo, v: unknown, tagged: boolean, depth: number): void {
  switch (f.kind) {
    case 14 satisfies typeof K.string: {
      const s = typeof v === 'string' ? v : String(v);
      if (tagged) {
        if (s === '') return;
        w.tag(f.no, WT.LEN);
      }
      w.string(s);
      return;
    }
    case 17 satisfies typeof K.message: {
      if (typeof v !== 'object' || Array.isArray(v)) throw encodeError(mi, f.name, 'not an object');
      if (tagged) w.tag(f.no, WT.LEN);
      const at = w.fork();
      encodeMsg(w, msgInfo(f.ref), v as CriMessage, depth + 1);
      w.ldelim(at);
      return;
    }
    case 13 satisfies typeof K.bool: {
      const b = Boolean(v);
      if (tagged) {
        if (!b) return;
        w.tag(f.no, WT.VARINT);
      }
      w.varint32(b ? 1 : 0);
      return;
    }
    case 4 satisfies typeof K.int64:
    case 6 satisfies typeof K.uint64:
    case 8 satisfies typeof K.sint64:
    case 10 satisfies typeof K.fixed64:
    case 12 satisfies typeof K.sfixed64: {
      if (!w.setInt64(v)) throw encodeError(mi, f.name, `not a 64-bit integer: ${String(v)}`);
      if (tagged) {
        if (w.lo === 0 && w.hi === 0) return;
        w.tag(f.no, f.wt);
      }
      if (f.kind === K.sint64) zigzag64(w);
      if (f.wt === WT.I64) w.fixed64(w.lo, w.hi);
      else w.varint64(w.lo, w.hi);
      return;
    }
    case 16 satisfies typeof K.enum: {
      const n = typeof v === 'number' && Number.isInteger(v) ? v : enumInfo(f.ref).byName.get(String(v));
      if (n === undefined) throw encodeError(mi, f.name, `unknown enum value ${String(v)}`);
      if (tagged) {
        if (n === 0) return;
        w.tag(f.no, WT.VARINT);
      }
      w.int32(n | 0);
      return;
    }
    case 15 satisfies typeof K.bytes: {
      const b = toBytes(v);
      if (b === undefined) throw encodeError(mi, f.name, 'not bytes');
      if (tagged) {
        if (b.length === 0) return;
        w.tag(f.no, WT.LEN);
      }
      w.bytes(b);
      return;
    }
    default: {
      const n = Number(v);
      if (tagged) {
        if (n === 0 && !Object.is(n, -0)) return;
        w.tag(f.no, f.wt);
      }
      writeNumber(w, f.kind, n);
    }
  }
}

/** The 32-bit and floating-point kinds, with protobufjs's coercions (|0, >>>0). */
function writeNumber(w: WireWriter, kind: number, n: number): void {
  switch (kind) {
    case 3 satisfies typeof K.int32:
      w.int32(n | 0);
      return;
    case 5 satisfies typeof K.uint32:
      w.varint32(n >>> 0);
      return;
    case 7 satisfies typeof K.sint32:
      w.varint32(((n << 1) ^ (n >> 31)) >>> 0);
      return;
    case 9 satisfies typeof K.fixed32:
    case 11 satisfies typeof K.sfixed32:
      w.fixed32(n);
      return;
    case 1 satisfies typeof K.double:
      w.double(n);
      return;
    default:
      w.float(n);
  }
}

/** Buffer/Uint8Array as is, a string as base64 (as protobufjs's fromObject), or byte arrays. */
function toBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v, 'base64');
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]);
  return undefined;
}

function encodeError(mi: MsgInfo, field: string, what: string): NodeletError {
  return new NodeletError(ErrorCode.Internal, `cannot encode CRI ${mi.name}${field ? `.${field}` : ''}: ${what}`);
}

/** Encodes `obj` as a message of type `mi`; values of the wrong shape throw Internal. */
export function encodeWith(mi: MsgInfo, obj: object): Buffer {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw encodeError(mi, '', 'not an object');
  const w = new WireWriter();
  encodeMsg(w, mi, obj as CriMessage, 0);
  return w.finish();
}
