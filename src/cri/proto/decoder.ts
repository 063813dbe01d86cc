// Decoding by table: a message's bytes into proto-loader's object form (see codec.ts).
import { F, K } from './schema.js';
import { enumInfo, msgInfo, defaultOf, FieldInfo, MAX_DEPTH, type CriMessage, type MsgInfo } from './tables.js';
import { WT, WireReader, int64String, unzigzag64 } from './wire.js';

// Hot paths compare with literals (`case 14 satisfies typeof K.string` checks them at compile
// time): a property load per comparison costs a lot without an optimizing compiler, and literal
// cases let the interpreter use a jump table.
const STRING = K.string;
const MAP = F.MAP;
const REPEATED = F.REPEATED;
const LEN = WT.LEN;

function decodeMsg(rd: WireReader, mi: MsgInfo, end: number, depth: number): CriMessage {
  if (depth > MAX_DEPTH) throw rd.fail('messages nested too deep');
  const outer = rd.type;
  rd.type = mi.name;
  const o: CriMessage = { ...mi.template };
  const fresh = mi.fresh;
  for (let i = 0; i < fresh.length; i++) {
    const f = fresh[i] as FieldInfo;
    o[f.name] = f.flags & MAP ? {} : f.flags & REPEATED ? [] : Buffer.alloc(0);
  }
  const byNo = mi.byNo;
  while (rd.pos < end) {
    const tag = rd.varint32(end);
    const no = tag >>> 3;
    const wt = tag & 7;
    const f = no < byNo.length ? byNo[no] : undefined;
    if (f === undefined) {
      if (no === 0) throw rd.fail('field number 0');
      rd.skip(wt, no, end);
    } else if (f.flags === 0) {
      if (wt !== f.wt) throw rd.fail(`wire type ${wt} for field ${f.name}`);
      // Strings are most fields; skipping readValue's dispatch for them pays off in Ignition.
      o[f.name] = f.kind === STRING ? rd.string(end) : readValue(rd, f, end, depth);
    } else if (f.flags & MAP) {
      if (wt !== LEN) throw rd.fail(`wire type ${wt} for map ${f.name}`);
      readMapEntry(rd, f, o[f.name] as CriMessage, rd.len(end), depth);
    } else {
      const list = o[f.name] as unknown[];
      if (wt === f.wt) {
        list.push(readValue(rd, f, end, depth));
      } else if (wt === LEN && f.numeric) {
        const stop = rd.len(end);
        while (rd.pos < stop) list.push(readValue(rd, f, stop, depth));
      } else {
        throw rd.fail(`wire type ${wt} for field ${f.name}`);
      }
    }
  }
  if (rd.pos !== end) throw rd.fail('field past the end of the message');
  rd.type = outer;
  return o;
}

function readValue(rd: WireReader, f: FieldInfo, end: number, depth: number): unknown {
  switch (f.kind) {
    case 14 satisfies typeof K.string:
      return rd.string(end);
    case 4 satisfies typeof K.int64:
    case 6 satisfies typeof K.uint64:
      rd.varint64(end);
      return int64String(rd.lo, rd.hi, f.kind === K.int64);
    case 13 satisfies typeof K.bool:
      rd.varint64(end);
      return rd.lo !== 0 || rd.hi !== 0;
    case 3 satisfies typeof K.int32:
      return rd.varint32(end) | 0;
    case 5 satisfies typeof K.uint32:
      return rd.varint32(end);
    case 16 satisfies typeof K.enum: {
      const n = rd.varint32(end) | 0;
      const name = n >= 0 ? enumInfo(f.ref).byNumber[n] : undefined;
      return name ?? n;
    }
    case 17 satisfies typeof K.message: {
      const stop = rd.len(end);
      return decodeMsg(rd, msgInfo(f.ref), stop, depth + 1);
    }
    case 15 satisfies typeof K.bytes:
      return rd.bytes(end);
    case 1 satisfies typeof K.double:
      return rd.double(end);
    case 2 satisfies typeof K.float:
      return rd.float(end);
    case 7 satisfies typeof K.sint32: {
      const n = rd.varint32(end);
      return (n >>> 1) ^ -(n & 1);
    }
    case 8 satisfies typeof K.sint64:
      rd.varint64(end);
      unzigzag64(rd);
      return int64String(rd.lo, rd.hi, true);
    case 9 satisfies typeof K.fixed32:
      return rd.fixed32(end);
    case 11 satisfies typeof K.sfixed32:
      return rd.fixed32(end) | 0;
    case 10 satisfies typeof K.fixed64:
    case 12 satisfies typeof K.sfixed64:
      rd.fixed64(end);
      return int64String(rd.lo, rd.hi, f.kind === K.sfixed64);
    default:
      throw rd.fail(`unknown kind ${f.kind} of field ${f.name}`);
  }
}

/** One map entry: key (field 1, string) and value (field 2); either may be absent. */
function readMapEntry(rd: WireReader, f: FieldInfo, map: CriMessage, end: number, depth: number): void {
  let key = '';
  let value: unknown;
  while (rd.pos < end) {
    const tag = rd.varint32(end);
    if (tag === 0x0a) {
      key = rd.string(end); // field 1, LEN
    } else if (tag >>> 3 === 2 && (tag & 7) === f.wt) {
      value = f.kind === STRING ? rd.string(end) : readValue(rd, f, end, depth);
    } else if (tag >>> 3 === 1 || tag >>> 3 === 2) {
      throw rd.fail(`wire type ${tag & 7} in an entry of map ${f.name}`);
    } else {
      if (tag >>> 3 === 0) throw rd.fail('field number 0');
      rd.skip(tag & 7, tag >>> 3, end);
    }
  }
  if (value === undefined) value = f.kind === K.bytes ? Buffer.alloc(0) : defaultOf(new FieldInfo('', 2, f.kind, 0, f.ref));
  // A key "__proto__" is data like any other: assigning it would set the object's prototype.
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Decodes a whole buffer as a message of type `mi`; malformed input throws Internal. */
export function decodeWith(mi: MsgInfo, buf: Buffer): CriMessage {
  const rd = new WireReader(buf);
  rd.type = mi.name;
  return decodeMsg(rd, mi, buf.length, 0);
}
