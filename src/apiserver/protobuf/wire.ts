// The protobuf wire format, read only: varints, length-delimited bytes and fixed 32/64-bit values.
// Everything the Kubernetes messages use; groups (wire types 3 and 4) are refused as malformed.
import { badRequest } from '../status.js';

export const WireType = { Varint: 0, Fixed64: 1, Bytes: 2, Fixed32: 5 } as const;

/** One field occurrence as it appears on the wire; repeated fields appear once per element. */
export type WireField =
  | { field: number; wire: 0; value: bigint }
  | { field: number; wire: 2; value: Uint8Array }
  | { field: number; wire: 1 | 5; value: Uint8Array };

function malformed(what: string): Error {
  return badRequest(`the protobuf body is malformed: ${what}`);
}

/** Reads a varint at `pos`; returns the value (unsigned, up to 64 bits) and the next position. */
export function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos + i];
    if (b === undefined) throw malformed('a varint runs past the end of its message');
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [BigInt.asUintN(64, result), pos + i + 1];
    shift += 7n;
  }
  throw malformed('a varint is longer than 10 bytes');
}

/** All field occurrences of one message, in wire order. */
export function readFields(buf: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0 || field > 0x1fffffff) throw malformed(`field number ${field} is out of range`);
    switch (wire) {
      case WireType.Varint: {
        const [value, next] = readVarint(buf, pos);
        out.push({ field, wire: WireType.Varint, value });
        pos = next;
        break;
      }
      case WireType.Bytes: {
        const [len, next] = readVarint(buf, pos);
        const end = next + Number(len);
        if (len > BigInt(buf.length) || end > buf.length) throw malformed(`field ${field} is longer than its message`);
        out.push({ field, wire: WireType.Bytes, value: buf.subarray(next, end) });
        pos = end;
        break;
      }
      case WireType.Fixed64:
      case WireType.Fixed32: {
        const size = wire === WireType.Fixed64 ? 8 : 4;
        if (pos + size > buf.length) throw malformed(`field ${field} is longer than its message`);
        out.push({ field, wire: wire === WireType.Fixed64 ? 1 : 5, value: buf.subarray(pos, pos + size) });
        pos += size;
        break;
      }
      default:
        throw malformed(`field ${field} has wire type ${wire}, which Kubernetes messages do not use`);
    }
  }
  return out;
}

/** Varints packed into one length-delimited field (proto3 style); proto2 senders may use either form. */
export function readPackedVarints(buf: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [value, next] = readVarint(buf, pos);
    out.push(value);
    pos = next;
  }
  return out;
}
