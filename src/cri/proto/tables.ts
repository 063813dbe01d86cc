// Runtime form of the generated CRI tables: per message its fields by number and the defaults
// a decoded object starts from; built lazily, since the agent touches a fraction of the types.
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { CRI_PACKAGE, ENUMS, MESSAGES } from './cri-descriptors.js';
import { K, type FieldRow } from './schema.js';
import { WT } from './wire.js';

export type CriMessage = Record<string, unknown>;

// Sub-messages nest at most ~8 deep in CRI; this only bounds hostile or cyclic input.
export const MAX_DEPTH = 64;

export class EnumInfo {
  readonly byNumber: (string | undefined)[] = [];
  readonly byName = new Map<string, number>();
  readonly first: string;

  constructor(names: readonly string[], numbers: readonly number[]) {
    this.first = names[0] ?? '';
    names.forEach((name, i) => {
      const no = numbers[i] ?? 0;
      this.byName.set(name, no);
      if (no >= 0 && no < 4096) this.byNumber[no] = name;
    });
  }
}

export class FieldInfo {
  readonly wt: number;
  readonly numeric: boolean;

  constructor(
    readonly name: string,
    readonly no: number,
    readonly kind: number,
    readonly flags: number,
    readonly ref: number,
  ) {
    this.wt = wireType(kind);
    this.numeric = this.wt !== WT.LEN;
  }
}

export class MsgInfo {
  /** By field number: the encode order and what protobufjs writes. */
  readonly fields: FieldInfo[];
  readonly byNo: (FieldInfo | undefined)[] = [];
  /** Defaults of every field; decode starts from a shallow copy, so objects share a shape. */
  readonly template: CriMessage = {};
  /** Fields that need a fresh value per object: repeated ([]), maps ({}), bytes (Buffer). */
  readonly fresh: FieldInfo[] = [];

  constructor(
    readonly name: string,
    rows: readonly FieldRow[],
  ) {
    const decl = rows.map((r) => new FieldInfo(r[0], r[1], r[2], r[3], r[4]));
    for (const f of decl) {
      this.byNo[f.no] = f;
      this.template[f.name] = defaultOf(f);
      if (f.flags !== 0 || f.kind === K.bytes) this.fresh.push(f);
    }
    this.fields = decl.sort((a, b) => a.no - b.no);
  }
}

function wireType(kind: number): number {
  switch (kind) {
    case 1 satisfies typeof K.double:
    case 10 satisfies typeof K.fixed64:
    case 12 satisfies typeof K.sfixed64:
      return WT.I64;
    case 2 satisfies typeof K.float:
    case 9 satisfies typeof K.fixed32:
    case 11 satisfies typeof K.sfixed32:
      return WT.I32;
    case 14 satisfies typeof K.string:
    case 15 satisfies typeof K.bytes:
    case 17 satisfies typeof K.message:
      return WT.LEN;
    default:
      return WT.VARINT;
  }
}

export function defaultOf(f: FieldInfo): unknown {
  if (f.flags !== 0) return null; // replaced per object (see `fresh`)
  switch (f.kind) {
    case 14 satisfies typeof K.string:
      return '';
    case 13 satisfies typeof K.bool:
      return false;
    case 4 satisfies typeof K.int64:
    case 6 satisfies typeof K.uint64:
    case 8 satisfies typeof K.sint64:
    case 10 satisfies typeof K.fixed64:
    case 12 satisfies typeof K.sfixed64:
      return '0';
    case 16 satisfies typeof K.enum:
      return enumInfo(f.ref).first;
    case 17 satisfies typeof K.message:
    case 15 satisfies typeof K.bytes:
      return null;
    default:
      return 0;
  }
}

// Built on first use: the agent touches a fraction of the 150-odd types.
const msgInfos: (MsgInfo | undefined)[] = [];
const enumInfos: (EnumInfo | undefined)[] = [];
let msgIndex: Map<string, number> | undefined;

export function msgInfo(i: number): MsgInfo {
  const have = msgInfos[i];
  if (have) return have;
  const row = MESSAGES[i];
  if (row === undefined) throw new NodeletError(ErrorCode.Internal, `CRI descriptor has no message #${i}`);
  const made = new MsgInfo(`${CRI_PACKAGE}.${row[0]}`, row[1]);
  msgInfos[i] = made;
  return made;
}

export function enumInfo(i: number): EnumInfo {
  const have = enumInfos[i];
  if (have) return have;
  const row = ENUMS[i];
  if (row === undefined) throw new NodeletError(ErrorCode.Internal, `CRI descriptor has no enum #${i}`);
  const made = new EnumInfo(row[1], row[2]);
  enumInfos[i] = made;
  return made;
}

export function msgByName(type: string): MsgInfo {
  msgIndex ??= new Map(MESSAGES.map((m, i) => [m[0], i]));
  const short = type.startsWith(`${CRI_PACKAGE}.`) ? type.slice(CRI_PACKAGE.length + 1) : type;
  const i = msgIndex.get(short);
  if (i === undefined) throw new NodeletError(ErrorCode.Internal, `CRI proto has no message ${type}`);
  return msgInfo(i);
}
