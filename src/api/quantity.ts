// Kubernetes resource.Quantity parsing (apimachinery pkg/api/resource/quantity.go): a signed decimal
// number followed by a binary SI suffix (Ki..Ei), a decimal SI suffix (n u m "" k M G T P E) or a
// decimal exponent (e3, E-2). Values are kept as an exact rational (bigint numerator over a power of
// ten) so that the rounding helpers (Value, MilliValue: round up, away from zero) are exact.
import { ErrorCode, NodeletError } from '../base/errors.js';

/** value = num / den exactly; den is a positive power of ten. */
export interface ExactQuantity {
  num: bigint;
  den: bigint;
}

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

// <sign><digits>[.<digits>] | <sign>.<digits>, then the suffix.
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;
const EXPONENT = /^[eE]([+-]?\d+)$/;
// Upstream caps exponents far below this; it keeps bigint powers small on hostile input.
const MAX_EXPONENT = 100;

function invalid(s: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, `quantity "${s}" is invalid: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
}

/** Parses a quantity exactly; throws InvalidArgument on anything upstream's ParseQuantity rejects. */
export function parseQuantityExact(s: string): ExactQuantity {
  const m = QUANTITY.exec(s);
  if (m === null) throw invalid(s);
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  const suffix = m[4] ?? '';
  if (intPart === '' && fracPart === '') throw invalid(s);
  let mantissa = BigInt(intPart + fracPart || '0') * sign;
  let exp10 = -fracPart.length;
  const binary = BINARY[suffix];
  const decimal = DECIMAL[suffix];
  if (binary !== undefined) {
    mantissa *= binary;
  } else if (decimal !== undefined) {
    exp10 += decimal;
  } else {
    const e = EXPONENT.exec(suffix);
    if (e === null || e[1] === undefined) throw invalid(s);
    const n = Number.parseInt(e[1], 10);
    if (Math.abs(n) > MAX_EXPONENT) throw invalid(s);
    exp10 += n;
  }
  if (exp10 >= 0) return { num: mantissa * 10n ** BigInt(exp10), den: 1n };
  return { num: mantissa, den: 10n ** BigInt(-exp10) };
}

/** The quantity in base units as a number: exact for integers ('1Gi' → 1073741824), '100m' → 0.1. */
export function parseQuantity(s: string): number {
  const q = parseQuantityExact(s);
  if (q.den === 1n) return Number(q.num);
  return Number(q.num) / Number(q.den);
}

/** ceil(q * 10^scale), rounding away from zero as upstream's ScaledValue does. */
export function scaledValue(q: ExactQuantity, scale: number): number {
  const num = scale >= 0 ? q.num * 10n ** BigInt(scale) : q.num;
  const den = scale >= 0 ? q.den : q.den * 10n ** BigInt(-scale);
  const whole = num / den; // truncates toward zero
  const rounded = num % den === 0n ? whole : num < 0n ? whole - 1n : whole + 1n;
  return Number(rounded);
}

/** Quantity.MilliValue: '100m' → 100, '1' → 1000, '0.1m' → 1 (rounded up). */
export function cpuToMilli(s: string): number {
  return scaledValue(parseQuantityExact(s), 3);
}

/** Quantity.Value: '1Gi' → 1073741824, '1.5' → 2 (rounded up). */
export function memoryToBytes(s: string): number {
  return scaledValue(parseQuantityExact(s), 0);
}

/** Sum of two exact quantities (Quantity.Add). */
export function addExact(a: ExactQuantity, b: ExactQuantity): ExactQuantity {
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  const den = a.den > b.den ? a.den : b.den; // powers of ten: the larger is a multiple of the smaller
  return { num: a.num * (den / a.den) + b.num * (den / b.den), den };
}

/** Quantity.Cmp: -1, 0 or 1. */
export function compareExact(a: ExactQuantity, b: ExactQuantity): -1 | 0 | 1 {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
}
