// Label selector requirements (apimachinery pkg/labels): their types, the label key and value
// formats, and NewRequirement's checks with upstream's error text.
import { ErrorCode, NodeletError } from '../base/errors.js';
import { goQuote } from './json.js';
import { isDNS1123Subdomain, maxLenError, regexError } from './names.js';

export type SelectorOperator =
  | 'In'
  | 'NotIn'
  | 'Exists'
  | 'DoesNotExist'
  | 'Equals'
  | 'DoubleEquals'
  | 'NotEquals'
  | 'GreaterThan'
  | 'LessThan';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** All requirements must hold (AND). `nothing` marks the selector that matches no object at all. */
export interface LabelSelector {
  requirements: Requirement[];
  nothing?: boolean;
}

const LABEL_KEY_CHAR = '[A-Za-z0-9]';
const LABEL_KEY_EXT_CHAR = '[-A-Za-z0-9_.]';
const QUALIFIED_NAME_FMT = `(${LABEL_KEY_CHAR}${LABEL_KEY_EXT_CHAR}*)?${LABEL_KEY_CHAR}`;
const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedName = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const labelValue = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** A label key ("qualified name"): an optional DNS subdomain prefix and '/', then a name. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedName.test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValue.test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE_FMT,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return errs;
}

export function invalidSelector(message: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidArgument, message);
}

/** Builds a requirement with upstream's NewRequirement checks; `path` prefixes field errors. */
export function newRequirement(key: string, operator: SelectorOperator, values: string[], path = ''): Requirement {
  const errs: string[] = [];
  const at = (child: string): string => (path === '' ? child : `${path}.${child}`);
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(`${at('key')}: Invalid value: ${goQuote(key)}: ${keyErrs.join('; ')}`);
  const valuesPath = at('values');
  const list = `[]string{${values.map(goQuote).join(', ')}}`;
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        errs.push(`${valuesPath}: Invalid value: ${list}: for 'in', 'notin' operators, values set can't be empty`);
      }
      break;
    case 'Equals':
    case 'DoubleEquals':
    case 'NotEquals':
      if (values.length !== 1) {
        errs.push(`${valuesPath}: Invalid value: ${list}: exact-match compatibility requires one single value`);
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length !== 0) {
        errs.push(`${valuesPath}: Invalid value: ${list}: values set must be empty for exists and does not exist`);
      }
      break;
    case 'GreaterThan':
    case 'LessThan':
      if (values.length !== 1) {
        errs.push(`${valuesPath}: Invalid value: ${list}: for 'Gt', 'Lt' operators, exactly one value is required`);
      }
      values.forEach((v, i) => {
        if (!/^[-+]?\d+$/.test(v)) {
          errs.push(`${valuesPath}[${i}]: Invalid value: ${goQuote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
        }
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) {
      errs.push(`${valuesPath}[${i}][${key}]: Invalid value: ${goQuote(v)}: ${valueErrs.join('; ')}`);
    }
  });
  if (errs.length === 1) throw invalidSelector(errs[0] ?? '');
  if (errs.length > 1) throw invalidSelector(`[${errs.join(', ')}]`);
  return { key, operator, values };
}

