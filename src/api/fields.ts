// Field selectors (`?fieldSelector=`): apimachinery's fields.ParseSelector syntax, the fields each
// resource exposes (its registry's ToSelectableFields) and which labels it accepts (its field
// label conversion func), so unsupported fields fail with upstream's 400 text.
import { ErrorCode, NodeletError } from '../base/errors.js';
import { asJson, goQuote, objectAt, objectsAt, stringAt } from './json.js';
import { isJsonObject } from './object.js';
import type { JsonObject, KubeObject } from './object.js';

export interface FieldRequirement {
  field: string;
  operator: '=' | '==' | '!=';
  value: string;
}

/** All requirements must hold (AND). */
export interface FieldSelector {
  requirements: FieldRequirement[];
}

function invalid(message: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, message);
}

/** Splits on commas not escaped with a backslash. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text.charAt(i + 1);
      i++;
    } else if (ch === ',') {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms;
}

const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator occurrence splits the term; the key side has no escaping. */
function splitTerm(term: string): [string, FieldRequirement['operator'], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

/** Undoes `\\`, `\,` and `\=`; anything else escaped, or a bare ',' or '=', is an error. */
function unescapeValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (ch === '\\') {
      const next = value.charAt(i + 1);
      if (next !== '\\' && next !== ',' && next !== '=') {
        throw invalid(`invalid field selector: invalid escape sequence: ${goQuote(value)}`);
      }
      out += next;
      i++;
    } else if (ch === ',' || ch === '=') {
      throw invalid(`invalid field selector: unescaped ${ch} in value: ${goQuote(value)}`);
    } else {
      out += ch;
    }
  }
  return out;
}

export function parseFieldSelector(text: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(text).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (split === undefined) throw invalid(`invalid selector: '${text}'; can't understand '${part}'`);
    const [field, operator, raw] = split;
    requirements.push({ field, operator, value: unescapeValue(raw) });
  }
  return { requirements };
}

/** A missing field reads as "", as upstream's fields.Set does. */
export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  return sel.requirements.every((r) => {
    const actual = Object.hasOwn(fields, r.field) ? (fields[r.field] ?? '') : '';
    return r.operator === '!=' ? actual !== r.value : actual === r.value;
  });
}

export function fieldSelectorToString(sel: FieldSelector): string {
  const esc = (v: string): string => v.replace(/[\\,=]/g, (c) => `\\${c}`);
  return sel.requirements.map((r) => `${r.field}${r.operator}${esc(r.value)}`).join(',');
}

// ---- per-resource fields ----

const CLUSTER_SCOPED = new Set(['nodes', 'namespaces', 'persistentvolumes']);

const SPECIFIC_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  secrets: ['type'],
  services: ['spec.clusterIP', 'spec.type'],
  replicationcontrollers: ['status.replicas'],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
};

/** The field labels a resource accepts in `fieldSelector` (core/v1 conversion funcs). */
export function allowedFieldSelectors(resource: string): string[] {
  // Nodes and namespaces have their own conversion funcs, which do not list metadata.namespace.
  const meta = resource === 'nodes' || resource === 'namespaces' ? ['metadata.name'] : ['metadata.name', 'metadata.namespace'];
  return [...meta, ...(SPECIFIC_FIELDS[resource] ?? [])];
}

/**
 * Checks a selector against what the resource supports and rewrites legacy labels (a pod's
 * `spec.host` is `spec.nodeName`). Resources with their own conversion func answer
 * "field label not supported: X"; the rest answer the generic metadata-only text.
 */
export function checkFieldSelector(resource: string, sel: FieldSelector): FieldSelector {
  const allowed = new Set(allowedFieldSelectors(resource));
  const requirements = sel.requirements.map((r) => {
    const field = resource === 'pods' && r.field === 'spec.host' ? 'spec.nodeName' : r.field;
    if (!allowed.has(field)) {
      if (resource in SPECIFIC_FIELDS) throw invalid(`field label not supported: ${r.field}`);
      throw invalid(`${goQuote(r.field)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
    }
    return { ...r, field };
  });
  return { requirements };
}

function specAndStatus(obj: KubeObject): [JsonObject | undefined, JsonObject | undefined] {
  const spec = obj['spec'];
  const status = obj['status'];
  return [isJsonObject(spec) ? spec : undefined, isJsonObject(status) ? status : undefined];
}

/** The selectable fields of an object, as the resource's registry strategy computes them. */
export function fieldsOf(resource: string, obj: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (!CLUSTER_SCOPED.has(resource)) fields['metadata.namespace'] = obj.metadata.namespace ?? '';
  const [spec, status] = specAndStatus(obj);
  const top = asJson(obj);
  switch (resource) {
    case 'pods': {
      fields['spec.nodeName'] = stringAt(spec, 'nodeName') ?? '';
      fields['spec.restartPolicy'] = stringAt(spec, 'restartPolicy') ?? '';
      fields['spec.schedulerName'] = stringAt(spec, 'schedulerName') ?? '';
      fields['spec.serviceAccountName'] = stringAt(spec, 'serviceAccountName') ?? '';
      fields['spec.hostNetwork'] = spec?.['hostNetwork'] === true ? 'true' : 'false';
      fields['status.phase'] = stringAt(status, 'phase') ?? '';
      const ips = objectsAt(status, 'podIPs');
      fields['status.podIP'] = stringAt(ips[0], 'ip') ?? stringAt(status, 'podIP') ?? '';
      fields['status.nominatedNodeName'] = stringAt(status, 'nominatedNodeName') ?? '';
      break;
    }
    case 'nodes':
      fields['spec.unschedulable'] = spec?.['unschedulable'] === true ? 'true' : 'false';
      break;
    case 'namespaces':
      fields['status.phase'] = stringAt(status, 'phase') ?? '';
      break;
    case 'secrets':
      fields['type'] = stringAt(top, 'type') ?? '';
      break;
    case 'services':
      fields['spec.clusterIP'] = stringAt(spec, 'clusterIP') ?? '';
      fields['spec.type'] = stringAt(spec, 'type') ?? '';
      break;
    case 'events': {
      const involved = objectAt(top, 'involvedObject');
      for (const key of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
        fields[`involvedObject.${key}`] = stringAt(involved, key) ?? '';
      }
      fields['reason'] = stringAt(top, 'reason') ?? '';
      fields['reportingComponent'] = stringAt(top, 'reportingComponent') ?? '';
      fields['source'] = stringAt(objectAt(top, 'source'), 'component') ?? '';
      fields['type'] = stringAt(top, 'type') ?? '';
      break;
    }
  }
  return fields;
}
