// Reading API objects that kubectl printed (-o json / -o yaml): they arrive as unknown and are
// walked by path, so a missing field is a clear assertion failure instead of a TypeError.
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';

/**
 * The value at a dotted path ("spec.containers.0.image"), or at a list of steps for keys that hold
 * dots (["metadata", "annotations", "note.example.com"]); undefined when any step is missing.
 */
export function field(obj: unknown, where: string | readonly string[]): unknown {
  let cur: unknown = obj;
  for (const step of typeof where === 'string' ? where.split('.') : where) {
    if (Array.isArray(cur)) cur = cur[Number(step)] as unknown;
    else if (typeof cur === 'object' && cur !== null) cur = (cur as Record<string, unknown>)[step];
    else return undefined;
  }
  return cur;
}

/** The string at a path; fails the test when it is not a string. */
export function text(obj: unknown, where: string | readonly string[]): string {
  const v = field(obj, where);
  assert.equal(typeof v, 'string', `${String(where)} is a string (got ${JSON.stringify(v)})`);
  return String(v);
}

/** The array at a path; fails the test when it is not an array. */
export function list(obj: unknown, dotted: string): unknown[] {
  const v = field(obj, dotted);
  assert.ok(Array.isArray(v), `${dotted} is an array (got ${JSON.stringify(v)})`);
  return v as unknown[];
}

export function parseJson(output: string): unknown {
  return JSON.parse(output) as unknown;
}

export function parseYamlDoc(output: string): unknown {
  return parseYaml(output) as unknown;
}

/** "Kind/name" -> resourceVersion for the items of a List (kubectl get a,b,c -o json). */
export function resourceVersions(listObject: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list(listObject, 'items')) out.set(`${text(item, 'kind')}/${text(item, 'metadata.name')}`, text(item, 'metadata.resourceVersion'));
  return out;
}

/** True when `ip` (dotted quad) lies in `cidr` (a.b.c.d/n). */
export function inCidr(ip: string, cidr: string): boolean {
  const toInt = (q: string): number => q.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base) - (toInt(base) % size);
  const n = toInt(ip);
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n >= start && n < start + size;
}
