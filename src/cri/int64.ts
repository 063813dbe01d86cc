// int64/uint64 at the client boundary. The loader hands them over as exact decimal strings.
//
// The decision: nanosecond quantities (timestamps, cumulative CPU time) become `bigint`, since
// epoch nanoseconds (~1.7e18) are far past 2^53 and must not lose precision. Every other 64-bit
// field (seconds, bytes, counts, uids, cgroup values) becomes `number`: such values stay below
// 2^53 in practice; a larger one (a runtime's "unlimited" sentinel) is rounded, not rejected,
// so that one odd field cannot fail a whole list call.
import { ErrorCode, NodeletError } from '../base/errors.js';

/** A wire int64 (decimal string, or a number from a hand-built reply) as an exact bigint. */
export function int64ToBigInt(v: unknown, what = 'int64'): bigint {
  if (v === undefined || v === null || v === '') return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  throw new NodeletError(ErrorCode.Internal, `malformed CRI reply: ${what} is not an integer (${String(v)})`);
}

/** A wire int64 as a number; exact up to 2^53, rounded beyond. */
export function int64ToNumber(v: unknown, what = 'int64'): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return Number(int64ToBigInt(v, what));
}

/**
 * A number or bigint to send as int64. Rejects what the wire cannot carry exactly (fractions,
 * numbers past 2^53, values outside int64) instead of letting protobuf truncate them silently.
 */
export function toWireInt64(v: number | bigint, what = 'int64'): string {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    throw new NodeletError(ErrorCode.InvalidArgument, `${what} must be a safe integer, got ${v}`);
  }
  const b = BigInt(v);
  if (b < -(2n ** 63n) || b >= 2n ** 63n) {
    throw new NodeletError(ErrorCode.InvalidArgument, `${what} is outside the int64 range: ${b}`);
  }
  return b.toString();
}

/** Epoch nanoseconds to a Date (millisecond precision); 0 (CRI's "not set") gives undefined. */
export function nanosToDate(ns: bigint): Date | undefined {
  if (ns === 0n) return undefined;
  return new Date(Number(ns / 1_000_000n));
}
