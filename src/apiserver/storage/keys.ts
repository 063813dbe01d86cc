// Key ranges, computed the same way for both backends. Keys order by their UTF-8 bytes (etcd
// compares bytes; SQLite's BINARY collation compares the UTF-8 text with memcmp), and a prefix
// covers the half-open range [prefix, prefixEnd(prefix)).
import { ErrorCode, NodeletError } from '../../base/errors.js';

/**
 * The smallest byte string greater than every string that starts with `prefix` (etcd's
 * GetPrefixRangeEnd): the last byte below 0xff is incremented and what follows it dropped.
 * Undefined when no such string exists (empty prefix, or all 0xff): the range is unbounded.
 */
export function prefixEndBytes(prefix: Uint8Array): Uint8Array | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const b = prefix[i];
    if (b !== undefined && b < 0xff) {
      // A copy: Buffer's slice() is a view, and the caller's prefix must stay as it is.
      const end = Uint8Array.from(prefix.subarray(0, i + 1));
      end[i] = b + 1;
      return end;
    }
  }
  return undefined;
}

const MAX_CODE_POINT = 0x10ffff;
const SURROGATE_FIRST = 0xd800;
const SURROGATE_END = 0xe000;

/**
 * prefixEndBytes for text: the last code point is incremented (skipping the surrogate block,
 * which UTF-8 cannot encode). Code point order is UTF-8 byte order, so the result bounds the
 * same keys as the byte version and stays valid text for SQLite. Undefined: unbounded.
 */
export function prefixEndString(prefix: string): string | undefined {
  const points = Array.from(prefix, (ch) => ch.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? MAX_CODE_POINT;
    if (last < MAX_CODE_POINT) {
      const next = last + 1 === SURROGATE_FIRST ? SURROGATE_END : last + 1;
      return String.fromCodePoint(...points, next);
    }
  }
  return undefined;
}

/** The first key after `key` in byte order: the continue position of a paginated list. */
export function keyAfter(key: string): string {
  return `${key}\u0000`;
}

/**
 * Store keys start with '/' (the etcd store keeps its compaction marker outside that space) and
 * have no NUL (NUL is how pagination positions are formed).
 */
export function checkKey(key: string): void {
  if (!key.startsWith('/') || key.includes('\u0000')) {
    throw new NodeletError(ErrorCode.InvalidArgument, `invalid storage key ${JSON.stringify(key)}: must start with "/" and have no NUL`);
  }
}

/** Revisions the caller passes in: whole numbers >= 0 (0 means "unset" where allowed). */
export function checkRevision(what: string, revision: number): void {
  if (!Number.isSafeInteger(revision) || revision < 0) {
    throw new NodeletError(ErrorCode.InvalidArgument, `${what} must be a whole number >= 0, got ${revision}`);
  }
}

/** The Gone error both backends raise for a revision older than the compacted one. */
export function goneError(what: string, revision: number, compacted: number): NodeletError {
  return new NodeletError(
    ErrorCode.Gone,
    `${what} at revision ${revision} is too old: history before revision ${compacted} was compacted; list again to get a current revision`,
  );
}

/** A read at a revision the store has not reached yet. */
export function futureRevisionError(revision: number, current: number): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, `revision ${revision} is newer than the store's current revision ${current}`);
}
