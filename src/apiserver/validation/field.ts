// Field errors as apimachinery's field.Error makes them: the cause types a 422 Status lists, the
// body text ("Required value", `Invalid value: "x": detail`, ...) and the aggregate message
// (`Pod "x" is invalid: [a, b]`) kubectl prints after "The ".
import { goQuote } from '../../api/json.js';
import type { JsonValue } from '../../api/object.js';

export type CauseReason =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueNotFound';

/** One Status cause: `message` is the error body without the field, as upstream's ErrorBody. */
export interface FieldCause {
  reason: CauseReason;
  message: string;
  field: string;
}

/** A value as Go's %v/%q/%#v shows it in field errors. */
export function formatValue(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => goQuote(String(x))).join(', ')}}`;
  // Structs print as Go syntax upstream (with pointer addresses); JSON is the readable stand-in.
  return JSON.stringify(v);
}

/** A string map as Go's %#v prints map[string]string (labels, selectors): keys sorted. */
export function formatStringMap(m: Record<string, JsonValue>): string {
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`).join(', ')}}`;
}

function withDetail(body: string, detail: string): string {
  return detail === '' ? body : `${body}: ${detail}`;
}

export function required(field: string, detail = ''): FieldCause {
  return { reason: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

export function invalid(field: string, value: JsonValue | undefined, detail: string): FieldCause {
  return invalidShown(field, formatValue(value), detail);
}

/** Invalid, with the value already formatted (e.g. by formatStringMap). */
export function invalidShown(field: string, shown: string, detail: string): FieldCause {
  return { reason: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${shown}`, detail) };
}

export function notSupported(field: string, value: JsonValue | undefined, supported: readonly string[]): FieldCause {
  const detail = supported.length === 0 ? '' : `supported values: ${supported.map(goQuote).join(', ')}`;
  return { reason: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${formatValue(value)}`, detail) };
}

export function duplicate(field: string, value: JsonValue | undefined): FieldCause {
  return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${formatValue(value)}` };
}

export function forbidden(field: string, detail: string): FieldCause {
  return { reason: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

export function tooLong(field: string, maxLength: number): FieldCause {
  return { reason: 'FieldValueTooLong', field, message: `Too long: must have at most ${maxLength} bytes` };
}

export function notFound(field: string, value: JsonValue | undefined): FieldCause {
  return { reason: 'FieldValueNotFound', field, message: `Not found: ${formatValue(value)}` };
}

/** One Invalid cause per problem a format check reported (upstream's usual loop). */
export function invalidEach(field: string, value: string, messages: string[]): FieldCause[] {
  return messages.map((m) => invalid(field, value, m));
}

/** A cause as upstream's field.Error.Error(): "field: body". */
export function causeText(c: FieldCause): string {
  return `${c.field}: ${c.message}`;
}

/**
 * The message of a 422 Invalid Status: `Kind "name" is invalid: <errors>`, one error as is,
 * several (duplicates dropped) as `[a, b]`. `kind` is group-qualified for non-core groups
 * (`Deployment.apps`), as upstream's qualifiedKind.String().
 */
export function invalidMessage(kind: string, name: string, causes: FieldCause[]): string {
  const texts = [...new Set(causes.map(causeText))];
  const head = `${kind} ${goQuote(name)} is invalid`;
  if (texts.length === 0) return head;
  if (texts.length === 1) return `${head}: ${texts[0] ?? ''}`;
  return `${head}: [${texts.join(', ')}]`;
}

/** `Kind.group` for named groups, `Kind` for the core group. */
export function qualifiedKind(kind: string, group: string): string {
  return group === '' ? kind : `${kind}.${group}`;
}
