// Query parameters shared by the verbs, parsed strictly: a malformed value is a 400 naming the
// parameter rather than being ignored.
import { badRequest } from '../status.js';
import type { PropagationPolicy } from '../registry/delete.js';
import type { TableOptions } from './context.js';

/** `dryRun=All` (the only value upstream accepts); absent: a real write. */
export function dryRunOf(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  }
  return values.length > 0;
}

/** A non-negative integer parameter; undefined when absent. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) throw badRequest(`${name}: Invalid value: "${raw}": must be an integer`);
  return Number(raw);
}

export function limitOf(query: URLSearchParams): number | undefined {
  const n = intParam(query, 'limit');
  if (n !== undefined && n < 0) throw badRequest(`limit: Invalid value: ${n}: must be greater than or equal to 0`);
  return n;
}

export function includeObjectOf(query: URLSearchParams): TableOptions['includeObject'] {
  const raw = query.get('includeObject');
  if (raw === null || raw === '') return 'Metadata';
  if (raw === 'None' || raw === 'Metadata' || raw === 'Object') return raw;
  throw badRequest(`includeObject: Unsupported value: "${raw}": supported values: "None", "Metadata", "Object"`);
}

export function propagationPolicyOf(value: unknown): PropagationPolicy | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === 'Background' || value === 'Foreground' || value === 'Orphan') return value;
  throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(value)}: supported values: "Background", "Foreground", "Orphan"`);
}

/** fieldValidation is accepted (kubectl sends Strict); unknown values are refused like upstream. */
export function checkFieldValidation(query: URLSearchParams): void {
  const v = query.get('fieldValidation');
  if (v === null || v === '' || v === 'Strict' || v === 'Warn' || v === 'Ignore') return;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}
