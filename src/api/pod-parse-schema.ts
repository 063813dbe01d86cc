// Typed parser combinators for validating untrusted JSON into API types. A parser takes the value
// and its field path and returns a fresh value holding only the fields it knows (so unknown fields
// and server bookkeeping such as managedFields do not leak into typed objects), or throws
// InvalidArgument naming the path: `spec.containers[0].image: must be a string`.
// Optional fields accept null as absent, as Go's JSON decoding does for pointers and slices.
import { ErrorCode, NodeletError } from '../base/errors.js';
import { isJsonObject } from './object.js';
import type { JsonObject } from './object.js';

export type Parser<T> = (value: unknown, path: string) => T;

export interface Field<T, Required extends boolean> {
  readonly parse: Parser<T>;
  readonly required: Required;
}

export function invalid(path: string, message: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, `${path}: ${message}`);
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

export const str: Parser<string> = (v, path) => {
  if (typeof v !== 'string') throw invalid(path, 'must be a string');
  return v;
};

export const bool: Parser<boolean> = (v, path) => {
  if (typeof v !== 'boolean') throw invalid(path, 'must be a boolean');
  return v;
};

export const num: Parser<number> = (v, path) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(path, 'must be a number');
  return v;
};

export const int: Parser<number> = (v, path) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(path, 'must be an integer');
  return v;
};

/** An integer >= 0. */
export const nonNegInt: Parser<number> = (v, path) => {
  const n = int(v, path);
  if (n < 0) throw invalid(path, 'must be greater than or equal to 0');
  return n;
};

/** An integer in [lo, hi]. */
export function intRange(lo: number, hi: number): Parser<number> {
  return (v, path) => {
    const n = int(v, path);
    if (n < lo || n > hi) throw invalid(path, `must be between ${lo} and ${hi}, inclusive`);
    return n;
  };
}

/** IntOrString (probe and handler ports). */
export const intOrString: Parser<number | string> = (v, path) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  throw invalid(path, 'must be an integer or a string');
};

/** A string or number quantity, normalized to its string form ('1', '500m', '1Gi'). */
export const quantity: Parser<string> = (v, path) => {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw invalid(path, 'must be a quantity (a string such as "100m" or "1Gi")');
};

export function oneOf<const V extends string>(...values: V[]): Parser<V> {
  return (v, path) => {
    if (typeof v !== 'string' || !(values as string[]).includes(v)) {
      throw invalid(path, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
    }
    return v as V;
  };
}

export function literal<const V extends string>(value: V): Parser<V> {
  return (v, path) => {
    if (v !== value) throw invalid(path, `must be ${JSON.stringify(value)}`);
    return value;
  };
}

export function arrayOf<T>(item: Parser<T>): Parser<T[]> {
  return (v, path) => {
    if (!Array.isArray(v)) throw invalid(path, 'must be an array');
    return v.map((x: unknown, i) => item(x, `${path}[${i}]`));
  };
}

/** A map of strings (labels, annotations, nodeSelector). */
export function mapOf<T>(item: Parser<T>): Parser<Record<string, T>> {
  return (v, path) => {
    if (!isJsonObject(v)) throw invalid(path, 'must be an object');
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) out[k] = item(x, `${path}[${JSON.stringify(k)}]`);
    return out;
  };
}

export function req<T>(parse: Parser<T>): Field<T, true> {
  return { parse, required: true };
}

export function opt<T>(parse: Parser<T>): Field<T, false> {
  return { parse, required: false };
}

type AnyField = Field<unknown, boolean>;
type FieldValue<F> = F extends Field<infer T, boolean> ? T : never;
type RequiredKeys<S> = { [K in keyof S]: S[K] extends Field<unknown, true> ? K : never }[keyof S];
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] };
export type ObjectOut<S> = Simplify<
  { [K in RequiredKeys<S>]: FieldValue<S[K]> } & { [K in OptionalKeys<S>]?: FieldValue<S[K]> }
>;

export function requireObject(v: unknown, path: string): JsonObject {
  if (!isJsonObject(v)) throw invalid(path === '' ? '<root>' : path, 'must be an object');
  return v;
}

/**
 * An object with the given fields: each known field is parsed by its parser (a missing or null
 * optional field is left out), unknown fields are dropped.
 */
export function object<S extends Record<string, AnyField>>(shape: S): Parser<ObjectOut<S>> {
  return (v, path) => {
    const o = requireObject(v, path);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const x = o[key];
      const p = join(path, key);
      if (x === undefined || x === null) {
        if (field.required) throw invalid(p, 'required');
        continue;
      }
      out[key] = field.parse(x, p);
    }
    // The shape's parsers produced exactly the declared fields.
    return out as ObjectOut<S>;
  };
}

/** A parser followed by a check on the parsed value (the check throws `invalid`). */
export function refine<T>(parse: Parser<T>, check: (value: T, path: string) => void): Parser<T> {
  return (v, path) => {
    const out = parse(v, path);
    check(out, path);
    return out;
  };
}
