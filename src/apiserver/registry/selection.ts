// Label and field selectors of list, watch and deletecollection requests, parsed once per
// request and checked against the fields the resource supports (400 otherwise, as upstream).
import { checkFieldSelector, fieldsOf, matchesFields, parseFieldSelector, type FieldSelector } from '../../api/fields.js';
import { isEverything, matchesLabels, parseLabelSelector, type LabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/object.js';
import type { ResourceInfo } from '../resources.js';
import { toApiError } from '../status.js';
import type { ObjectPredicate } from './list.js';

export interface Selection {
  labels: LabelSelector;
  fields: FieldSelector;
}

/** Throws 400 BadRequest with the parser's message for malformed or unsupported selectors. */
export function parseSelection(r: ResourceInfo, labelSelector: string | null, fieldSelector: string | null): Selection {
  try {
    const labels = parseLabelSelector(labelSelector ?? '');
    const fields = checkFieldSelector(r.resource, parseFieldSelector(fieldSelector ?? ''));
    return { labels, fields };
  } catch (err) {
    throw toApiError(err);
  }
}

export function selectsEverything(sel: Selection): boolean {
  return isEverything(sel.labels) && sel.fields.requirements.length === 0;
}

export function matchesSelection(r: ResourceInfo, sel: Selection, obj: KubeObject): boolean {
  if (!matchesLabels(sel.labels, obj.metadata.labels)) return false;
  return sel.fields.requirements.length === 0 || matchesFields(sel.fields, fieldsOf(r.resource, obj));
}

/** Undefined when the selection keeps everything (lists then skip per-object matching). */
export function predicateFor(r: ResourceInfo, sel: Selection): ObjectPredicate | undefined {
  if (selectsEverything(sel)) return undefined;
  return (obj) => matchesSelection(r, sel, obj);
}

/** The selection with one more field requirement (watching a single object by name). */
export function withNameField(sel: Selection, name: string): Selection {
  return { labels: sel.labels, fields: { requirements: [...sel.fields.requirements, { field: 'metadata.name', operator: '=', value: name }] } };
}
