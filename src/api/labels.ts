// Labels and label selectors as apimachinery defines them (pkg/labels/selector.go): the string
// syntax of `?labelSelector=` and `kubectl -l`, the API's {matchLabels, matchExpressions} form,
// matching, and the canonical text form kubectl's tables print.
import { goQuote } from './json.js';
import { parseRequirements } from './label-parser.js';
import { invalidSelector, newRequirement } from './label-requirement.js';
import type { LabelSelector, Requirement, SelectorOperator } from './label-requirement.js';
import { isJsonObject } from './object.js';

export { isQualifiedName, isValidLabelValue, newRequirement } from './label-requirement.js';
export type { LabelSelector, Requirement, SelectorOperator } from './label-requirement.js';

/** Parses `?labelSelector=` / `kubectl -l` syntax; throws InvalidArgument with upstream's wording. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = parseRequirements(text);
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements };
}

function matchesRequirement(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'In':
    case 'Equals':
    case 'DoubleEquals':
      return value !== undefined && has && r.values.includes(value);
    case 'NotIn':
    case 'NotEquals':
      return value === undefined || !has || !r.values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'GreaterThan':
    case 'LessThan': {
      if (value === undefined || !has || r.values.length !== 1 || !/^[-+]?\d+$/.test(value)) return false;
      const bound = BigInt(r.values[0] ?? '0');
      const actual = BigInt(value);
      return r.operator === 'GreaterThan' ? actual > bound : actual < bound;
    }
  }
}

export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  if (sel.nothing === true) return false;
  const set = labels ?? {};
  return sel.requirements.every((r) => matchesRequirement(r, set));
}

export function isEverything(sel: LabelSelector): boolean {
  return sel.nothing !== true && sel.requirements.length === 0;
}

const OBJECT_OPERATORS: Readonly<Record<string, SelectorOperator>> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
};

/**
 * The API form ({matchLabels, matchExpressions}) as a selector, as metav1.LabelSelectorAsSelector:
 * null matches nothing, {} matches everything.
 */
export function selectorFromLabelSelectorObject(obj: unknown): LabelSelector {
  if (obj === null || obj === undefined) return { requirements: [], nothing: true };
  if (!isJsonObject(obj)) throw invalidSelector('a label selector must be an object');
  const requirements: Requirement[] = [];
  const matchLabels = obj['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isJsonObject(matchLabels)) throw invalidSelector('matchLabels must be a map of strings');
    for (const [k, v] of Object.entries(matchLabels)) {
      if (typeof v !== 'string') throw invalidSelector(`matchLabels[${k}] must be a string`);
      requirements.push(newRequirement(k, 'Equals', [v]));
    }
  }
  const exprs = obj['matchExpressions'];
  if (exprs !== undefined && exprs !== null) {
    if (!Array.isArray(exprs)) throw invalidSelector('matchExpressions must be a list');
    for (const e of exprs) {
      if (!isJsonObject(e)) throw invalidSelector('matchExpressions entries must be objects');
      const key = typeof e['key'] === 'string' ? e['key'] : '';
      const opText = typeof e['operator'] === 'string' ? e['operator'] : '';
      const op = OBJECT_OPERATORS[opText];
      if (op === undefined) throw invalidSelector(`${goQuote(opText)} is not a valid label selector operator`);
      const rawValues = Array.isArray(e['values']) ? e['values'] : [];
      const values = rawValues.filter((v): v is string => typeof v === 'string');
      requirements.push(newRequirement(key, op, op === 'In' || op === 'NotIn' ? [...new Set(values)].sort() : values));
    }
  }
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { requirements };
}

function requirementToString(r: Requirement): string {
  const values = r.values.length === 1 ? (r.values[0] ?? '') : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${values}`;
    case 'DoubleEquals':
      return `${r.key}==${values}`;
    case 'NotEquals':
      return `${r.key}!=${values}`;
    case 'In':
      return `${r.key} in (${values})`;
    case 'NotIn':
      return `${r.key} notin (${values})`;
    case 'GreaterThan':
      return `${r.key}>${values}`;
    case 'LessThan':
      return `${r.key}<${values}`;
  }
}

/** The canonical text of a selector (empty for everything and for nothing), as Selector.String(). */
export function selectorToString(sel: LabelSelector): string {
  if (sel.nothing === true) return '';
  return sel.requirements.map(requirementToString).join(',');
}

/** metav1.FormatLabelSelector: the SELECTOR column of deployments and replicasets. */
export function formatLabelSelectorObject(obj: unknown): string {
  try {
    const text = selectorToString(selectorFromLabelSelectorObject(obj));
    return text === '' ? '<none>' : text;
  } catch {
    return '<error>';
  }
}

/** labels.FormatLabels: "k=v" pairs sorted by key, or "<none>" (the SELECTOR column of services). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}
