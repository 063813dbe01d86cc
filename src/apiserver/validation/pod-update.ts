// What a Pod update may change (ValidatePodUpdate): container and init container images,
// activeDeadlineSeconds (set or lowered), tolerations (additions; tolerationSeconds may change),
// terminationGracePeriodSeconds (negative to 1) and removal of scheduling gates. Everything else
// in the spec is immutable; upstream then reports one Forbidden on `spec` with a diff.
import { cloneJson, jsonEqual, numberAt, objectsAt } from '../../api/json.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { forbidden, invalid } from './field.js';
import type { FieldCause } from './field.js';
import { inclusiveRangeError } from './formats.js';

const UPDATABLE =
  '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,' +
  '`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** Paths where two values differ, for the message (upstream prints a cmp.Diff there). */
function differences(a: JsonValue | undefined, b: JsonValue | undefined, path: string, out: string[]): void {
  if (out.length >= 10 || jsonEqual(a, b)) return;
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[k], b[k], `${path}.${k}`, out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((v, i) => differences(v, b[i], `${path}[${i}]`, out));
    return;
  }
  out.push(`  ${path}: ${JSON.stringify(a ?? null)} -> ${JSON.stringify(b ?? null)}`);
}

function withoutSeconds(t: JsonObject): JsonObject {
  const rest = { ...t };
  delete rest['tolerationSeconds'];
  return rest;
}

export function validatePodSpecUpdate(spec: JsonObject, old: JsonObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const deadline = numberAt(spec, 'activeDeadlineSeconds');
  const oldDeadline = numberAt(old, 'activeDeadlineSeconds');
  if (deadline !== undefined) {
    if (deadline < 0 || deadline > 2147483647) return [invalid('spec.activeDeadlineSeconds', deadline, inclusiveRangeError(0, 2147483647))];
    if (oldDeadline !== undefined && oldDeadline < deadline) {
      return [invalid('spec.activeDeadlineSeconds', deadline, 'must be less than or equal to previous value')];
    }
  } else if (oldDeadline !== undefined) {
    causes.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }

  const tolerations = objectsAt(spec, 'tolerations');
  const oldTolerations = objectsAt(old, 'tolerations');
  const kept = oldTolerations.every((o) => tolerations.some((t) => jsonEqual(withoutSeconds(t), withoutSeconds(o))));
  if (!kept) causes.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));

  // Upstream's "munged" spec: the new spec with every allowed change undone.
  const munged = cloneJson(spec);
  for (const key of ['containers', 'initContainers']) {
    const oldList = objectsAt(old, key);
    objectsAt(munged, key).forEach((c, i) => {
      const before = oldList[i];
      if (before !== undefined) c['image'] = before['image'] ?? null;
    });
  }
  for (const key of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
    if (old[key] === undefined) delete munged[key];
    else munged[key] = old[key] ?? null;
  }
  const grace = numberAt(spec, 'terminationGracePeriodSeconds');
  const oldGrace = numberAt(old, 'terminationGracePeriodSeconds');
  if (grace === 1 && oldGrace !== undefined && oldGrace < 0) munged['terminationGracePeriodSeconds'] = oldGrace;
  // Gates may only be removed, never added.
  const gates = objectsAt(spec, 'schedulingGates');
  const oldGates = objectsAt(old, 'schedulingGates');
  if (!gates.every((g) => oldGates.some((o) => jsonEqual(o, g)))) munged['schedulingGates'] = spec['schedulingGates'] ?? null;

  if (!jsonEqual(munged, old)) {
    const diff: string[] = [];
    differences(old, munged, 'spec', diff);
    causes.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE}\n${diff.join('\n')}`));
  }
  return causes;
}
