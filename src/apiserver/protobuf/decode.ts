// Table-driven decoding of one protobuf message into the JSON object Go's encoding/json would
// write for the same typed struct (see schema.ts for the emission rules). A field number the
// table does not know is an error naming the message and number: data is never dropped silently.
import type { JsonObject, JsonValue } from '../../api/object.js';
import { badRequest } from '../status.js';
import { SCALAR_TYPES, SPECIAL_TYPES, type FieldSpec, type MessageSpec } from './schema.js';
import { readFields, readPackedVarints, WireType, type WireField } from './wire.js';

export type MessageRegistry = ReadonlyMap<string, MessageSpec>;

const utf8 = new TextDecoder('utf-8');
const ZERO_TIME = Symbol('zero time');
type Decoded = JsonValue | typeof ZERO_TIME;

function fieldError(spec: MessageSpec, f: FieldSpec | undefined, number: number, why: string): Error {
  const name = f === undefined ? '' : ` (${f.json})`;
  return badRequest(`protobuf: ${spec.protoName} field ${number}${name}: ${why}`);
}

/** Decodes `buf` as message `type`; the result has only the fields the JSON path would show. */
export function decodeMessage(buf: Uint8Array, type: string, registry: MessageRegistry): JsonObject {
  const spec = registry.get(type);
  if (spec === undefined) throw new Error(`protobuf schema: message ${type} is not in the registry`);
  // Values per field in wire order; the last occurrence of a singular field wins, as in protobuf.
  const values = new Map<FieldSpec, Decoded[]>();
  for (const wf of readFields(buf)) {
    const f = spec.byNumber.get(wf.field);
    if (f === undefined) {
      throw fieldError(spec, undefined, wf.field, `this server has no schema for this field (wire type ${wf.wire}); send the object as JSON instead`);
    }
    const list = values.get(f) ?? [];
    if (!f.repeated && !f.map) list.length = 0;
    // Not a spread: a packed field can hold millions of values, more than a call's arguments.
    for (const v of decodeOccurrence(wf, f, spec, registry)) list.push(v);
    values.set(f, list);
  }
  const out: JsonObject = {};
  for (const f of spec.fields) {
    const list = values.get(f);
    if (list === undefined) continue;
    if (f.presence === 'inline') {
      const inner = list[list.length - 1];
      if (inner !== undefined && inner !== ZERO_TIME && typeof inner === 'object' && inner !== null && !Array.isArray(inner)) {
        Object.assign(out, inner);
      }
      continue;
    }
    const value = f.map ? mapValue(list) : f.repeated ? listValue(list) : list[list.length - 1];
    if (value === undefined || value === ZERO_TIME || !shouldEmit(value, f)) continue;
    out[f.json] = value;
  }
  return out;
}

/** A map field's entries, decoded one per occurrence as [key, value] pairs. */
function mapValue(list: Decoded[]): JsonObject {
  const out: JsonObject = {};
  for (const entry of list) {
    if (Array.isArray(entry) && typeof entry[0] === 'string' && entry[1] !== undefined) out[entry[0]] = entry[1];
  }
  return out;
}

function listValue(list: Decoded[]): JsonValue[] {
  return list.filter((v): v is JsonValue => v !== ZERO_TIME);
}

/** Go's omitempty for present fields: zero scalars and empty lists/maps are left out. */
function shouldEmit(value: JsonValue, f: FieldSpec): boolean {
  if (f.presence === 'always' || f.presence === 'pointer') return true;
  if (f.repeated) return Array.isArray(value) && value.length > 0;
  if (f.map) return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
  if (!SCALAR_TYPES.has(f.type)) return true; // structs are never "empty" to encoding/json
  return value !== '' && value !== 0 && value !== false;
}

function decodeOccurrence(wf: WireField, f: FieldSpec, spec: MessageSpec, registry: MessageRegistry): Decoded[] {
  if (f.map) {
    if (wf.wire !== WireType.Bytes) throw fieldError(spec, f, wf.field, `a map entry must be length-delimited, not wire type ${wf.wire}`);
    return [mapEntry(wf.value, f, spec, registry)];
  }
  // Repeated varints may arrive packed in one length-delimited field.
  if (f.repeated && wf.wire === WireType.Bytes && (f.type === 'int32' || f.type === 'int64' || f.type === 'bool')) {
    return readPackedVarints(wf.value).map((v) => varintValue(v, f, spec, wf.field));
  }
  return [decodeValue(wf, f, spec, registry)];
}

function mapEntry(buf: Uint8Array, f: FieldSpec, spec: MessageSpec, registry: MessageRegistry): Decoded {
  let key = '';
  let value: Decoded = zeroValue(f.type);
  for (const wf of readFields(buf)) {
    if (wf.field === 1 && wf.wire === WireType.Bytes) key = utf8.decode(wf.value);
    else if (wf.field === 2) value = decodeValue(wf, f, spec, registry);
    else throw fieldError(spec, f, wf.field, 'a map entry has only fields 1 (key) and 2 (value)');
  }
  return [key, value === ZERO_TIME ? null : value];
}

function zeroValue(type: string): Decoded {
  if (type === 'string' || type === 'bytes') return '';
  if (type === 'Quantity') return '0';
  return {};
}

function decodeValue(wf: WireField, f: FieldSpec, spec: MessageSpec, registry: MessageRegistry): Decoded {
  const wrongWire = (): Error => fieldError(spec, f, wf.field, `expected ${f.type}, got wire type ${wf.wire}`);
  switch (f.type) {
    case 'bool':
    case 'int32':
    case 'int64':
      if (wf.wire !== WireType.Varint) throw wrongWire();
      return varintValue(wf.value, f, spec, wf.field);
    case 'string':
      if (wf.wire !== WireType.Bytes) throw wrongWire();
      return utf8.decode(wf.value);
    case 'bytes':
      if (wf.wire !== WireType.Bytes) throw wrongWire();
      return Buffer.from(wf.value.buffer, wf.value.byteOffset, wf.value.byteLength).toString('base64');
    default:
      if (wf.wire !== WireType.Bytes) throw wrongWire();
      if (SPECIAL_TYPES.has(f.type)) return decodeSpecial(wf.value, f, spec);
      return decodeMessage(wf.value, f.type, registry);
  }
}

function varintValue(v: bigint, f: FieldSpec, spec: MessageSpec, number: number): JsonValue {
  if (f.type === 'bool') return v !== 0n;
  const signed = BigInt.asIntN(64, v);
  if (f.type === 'int32' && (signed < -0x80000000n || signed > 0x7fffffffn)) {
    throw fieldError(spec, f, number, `${signed} does not fit in an int32`);
  }
  if (signed < BigInt(Number.MIN_SAFE_INTEGER) || signed > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw fieldError(spec, f, number, `${signed} is beyond the integers this server keeps exactly`);
  }
  return Number(signed);
}

/** The fields of a small fixed message (Time, IntOrString, ...) by number. */
function smallMessage(buf: Uint8Array, spec: MessageSpec, f: FieldSpec, allowed: readonly number[]): Map<number, WireField> {
  const out = new Map<number, WireField>();
  for (const wf of readFields(buf)) {
    if (!allowed.includes(wf.field)) throw fieldError(spec, f, wf.field, `${f.type} has no field ${wf.field}`);
    out.set(wf.field, wf);
  }
  return out;
}

function varintOf(m: Map<number, WireField>, n: number): bigint {
  const wf = m.get(n);
  return wf?.wire === WireType.Varint ? BigInt.asIntN(64, wf.value) : 0n;
}

function stringOf(m: Map<number, WireField>, n: number): string {
  const wf = m.get(n);
  return wf?.wire === WireType.Bytes ? utf8.decode(wf.value) : '';
}

function decodeSpecial(buf: Uint8Array, f: FieldSpec, spec: MessageSpec): Decoded {
  switch (f.type) {
    case 'Time':
    case 'MicroTime': {
      // An empty Time is Go's zero time, which encodes as JSON null (omitted). meta/v1 Time keeps
      // whole seconds only, as upstream's Unmarshal does; MicroTime keeps microseconds.
      if (buf.length === 0) return ZERO_TIME;
      const m = smallMessage(buf, spec, f, [1, 2]);
      return formatTime(varintOf(m, 1), f.type === 'MicroTime' ? Number(varintOf(m, 2)) : 0, f.type === 'MicroTime');
    }
    case 'IntOrString': {
      const m = smallMessage(buf, spec, f, [1, 2, 3]);
      if (varintOf(m, 1) === 1n) return stringOf(m, 3);
      return Number(BigInt.asIntN(32, varintOf(m, 2)));
    }
    case 'Quantity': {
      const m = smallMessage(buf, spec, f, [1]);
      const s = stringOf(m, 1);
      return s === '' ? '0' : s;
    }
    default: {
      // RawJSON: a message (FieldsV1, RawExtension) whose field 1 carries JSON bytes.
      const m = smallMessage(buf, spec, f, [1]);
      const raw = m.get(1);
      if (raw === undefined || raw.wire !== WireType.Bytes || raw.value.length === 0) return ZERO_TIME;
      try {
        return JSON.parse(utf8.decode(raw.value)) as JsonValue;
      } catch {
        throw fieldError(spec, f, 1, 'the embedded raw bytes are not JSON');
      }
    }
  }
}

/** RFC 3339 in UTC: seconds only for Time, six fractional digits for MicroTime. */
export function formatTime(seconds: bigint, nanos: number, micro: boolean): string {
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) throw badRequest(`protobuf: time ${seconds}s is out of range`);
  const base = d.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const micros = Math.floor(Math.max(0, nanos) / 1000);
  return `${base}.${String(micros).padStart(6, '0')}Z`;
}
