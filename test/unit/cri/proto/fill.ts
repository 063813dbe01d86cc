// Builds a message of any CRI type with every field set to a non-default value, straight from
// the generated table, so a test can compare codecs on every field of every message.
import { ENUMS, MESSAGES } from '../../../../src/cri/proto/cri-descriptors.js';
import { F, K, type FieldRow } from '../../../../src/cri/proto/schema.js';

const INT64 = ['9223372036854775807', '-9223372036854775808', '9007199254740993', '-1', '1700000000123456789'];
const UINT64 = ['18446744073709551615', '9007199254740993', '1', '4294967296'];
const INT32 = [-2147483648, 2147483647, -1, 7];
const UINT32 = [4294967295, 1, 300];
const DOUBLE = [1.5, -0.25, 1e300, 5e-324];

function pick<T>(xs: readonly T[], seed: number): T {
  return xs[seed % xs.length] as T;
}

function scalar(kind: number, ref: number, name: string, seed: number): unknown {
  switch (kind) {
    case K.string:
      // Some long enough to need a 2-byte length, some multi-byte UTF-8.
      return seed % 3 === 2 ? `${name}-${'z'.repeat(150)}` : `${name}-${seed}-ü✓`;
    case K.bool:
      return true;
    case K.int64:
    case K.sint64:
    case K.sfixed64:
      return pick(INT64, seed);
    case K.uint64:
    case K.fixed64:
      return pick(UINT64, seed);
    case K.int32:
    case K.sint32:
    case K.sfixed32:
      return pick(INT32, seed);
    case K.uint32:
    case K.fixed32:
      return pick(UINT32, seed);
    case K.double:
      return pick(DOUBLE, seed);
    case K.float:
      return 1.5 + (seed % 4);
    case K.bytes:
      return Buffer.from([0, 0xff, seed & 0xff, 0x80]);
    case K.enum: {
      // Any value but the first (the default, which encoders leave out).
      const names = ENUMS[ref]?.[1] ?? [];
      return names[1 + (seed % Math.max(1, names.length - 1))] ?? names[0];
    }
    default:
      throw new Error(`unknown kind ${kind} of ${name}`);
  }
}

/** Every field set; sub-messages nest down to `maxDepth`, below which they are empty. */
export function fillMessage(index: number, seed = 0, depth = 0, maxDepth = 8): Record<string, unknown> {
  const row = MESSAGES[index];
  if (row === undefined) throw new Error(`no message #${index}`);
  const out: Record<string, unknown> = {};
  if (depth > maxDepth) return out;
  row[1].forEach((f: FieldRow, i) => {
    const [name, , kind, flags, ref] = f;
    const s = seed + i;
    const one = (n: number): unknown =>
      kind === K.message ? fillMessage(ref, n, depth + 1, maxDepth) : scalar(kind, ref, name, n);
    if (flags & F.MAP) out[name] = { [`${name}-k1`]: one(s), 'k-ü✓': one(s + 1) };
    else if (flags & F.REPEATED) out[name] = [one(s), one(s + 1), one(s + 2)];
    else out[name] = one(s);
  });
  return out;
}
