// The pod-template-hash: a stable FNV-32a hash of the pod template (and the collision count, as
// upstream's controller.ComputeHash), written with the safe alphabet of rand.SafeEncodeString
// so it never spells words and fits a label and a name. Upstream hashes Go's spew dump; this
// hashes canonical JSON (sorted keys): stable across restarts, not byte-identical to upstream.
import { NAME_SUFFIX_ALPHABET } from '../../../api/names.js';
import type { JsonValue } from '../../../api/object.js';

export function canonicalJson(v: JsonValue | undefined): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncode(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += NAME_SUFFIX_ALPHABET[ch % NAME_SUFFIX_ALPHABET.length] ?? 'x';
  return out;
}

export function podTemplateHash(template: JsonValue, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount > 0) {
    const extra = Buffer.alloc(4);
    extra.writeUInt32LE(collisionCount >>> 0);
    h = fnv32a(extra, h);
  }
  return safeEncode(String(h));
}
