// The container spec hash stored on each CRI container (upstream kubecontainer.HashContainer): when
// the hash of the current spec differs from the running container's, the container is restarted.
// Resources are left out (they can be resized in place upstream). The JSON is canonical: keys are
// sorted and empty values dropped (as Go's omitempty), so key order and `[]` vs unset do not matter.
import { createHash } from 'node:crypto';
import type { Container } from '../../api/pod-types.js';

type Canonical = null | string | number | boolean | Canonical[] | { [k: string]: Canonical };

// Object fields that are unset, '' or empty are dropped; array elements are kept as they are
// (args ['a', ''] is not args ['a']).
function canonical(value: unknown): Canonical | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((v) => (v === '' ? '' : (canonical(v) ?? null)));
  }
  if (typeof value === 'object') {
    const out: { [k: string]: Canonical } = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Record<string, unknown>)[key]);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return undefined;
}

/** The canonical JSON the hash is taken over (exported for tests and debugging). */
export function canonicalContainerJson(container: Container): string {
  const { resources: _resources, ...rest } = container;
  return JSON.stringify(canonical(rest) ?? {});
}

/** 16 hex digits of sha256 over the canonical spec without resources. */
export function containerHash(container: Container): string {
  return createHash('sha256').update(canonicalContainerJson(container)).digest('hex').slice(0, 16);
}
