// The label selector string syntax (`?labelSelector=`, `kubectl -l`): apimachinery's lexer and
// recursive-descent parser, with its error messages.
import { NodeletError } from '../base/errors.js';
import { goQuote } from './json.js';
import { invalidSelector, isQualifiedName, newRequirement } from './label-requirement.js';
import type { Requirement, SelectorOperator } from './label-requirement.js';

type Tok = 'eos' | 'error' | 'id' | 'in' | 'notin' | '(' | ')' | ',' | '!' | '=' | '==' | '!=' | '>' | '<';
interface Item {
  tok: Tok;
  lit: string;
}

const SPECIAL_TOKENS: ReadonlyMap<string, Tok> = new Map<string, Tok>([
  ['(', '('],
  [')', ')'],
  [',', ','],
  ['!', '!'],
  ['=', '='],
  ['==', '=='],
  ['!=', '!='],
  ['>', '>'],
  ['<', '<'],
]);

function isSpecial(ch: string): boolean {
  return '=!(),><'.includes(ch);
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s.charAt(pos))) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (isSpecial(s.charAt(pos))) {
      // Longest run of special characters that still forms a token ("!=" but "=" then "(").
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && isSpecial(s.charAt(pos))) {
        buf += s.charAt(pos);
        const tok = SPECIAL_TOKENS.get(buf);
        if (tok !== undefined) last = { tok, lit: buf };
        else if (last !== undefined) break;
        pos++;
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
      continue;
    }
    let buf = '';
    while (pos < s.length && !isSpecial(s.charAt(pos)) && !isSpace(s.charAt(pos))) buf += s.charAt(pos++);
    items.push({ tok: buf === 'in' ? 'in' : buf === 'notin' ? 'notin' : 'id', lit: buf });
  }
}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  /** In value position the keywords `in`/`notin` are ordinary identifiers. */
  private peek(values: boolean): Item {
    const it = this.items[this.pos] ?? { tok: 'eos', lit: '' };
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }

  private next(values: boolean): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw invalidSelector(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (err) {
        if (err instanceof NodeletError) throw invalidSelector(`unable to parse requirement: ${err.message}`);
        throw err;
      }
      const after = this.next(true);
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw invalidSelector(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek(true);
      if (t2.tok !== 'id' && t2.tok !== '!') throw invalidSelector(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let negated = false;
    let it = this.next(true);
    if (it.tok === '!') {
      negated = true;
      it = this.next(true);
    }
    if (it.tok !== 'id') throw invalidSelector(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) throw invalidSelector(`<nil>: Invalid value: ${goQuote(key)}: ${keyErrs.join('; ')}`);
    // "!key" is complete by itself; what follows it must be ',' or the end (checked by parse).
    if (negated) return newRequirement(key, 'DoesNotExist', []);
    const following = this.peek(true).tok;
    if (following === 'eos' || following === ',') return newRequirement(key, 'Exists', []);
    const op = this.operator();
    const values = op === 'In' || op === 'NotIn' ? this.setValues() : this.exactValue();
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  private operator(): SelectorOperator {
    const { tok, lit } = this.next(false);
    switch (tok) {
      case 'in':
        return 'In';
      case 'notin':
        return 'NotIn';
      case '=':
        return 'Equals';
      case '==':
        return 'DoubleEquals';
      case '!=':
        return 'NotEquals';
      case '>':
        return 'GreaterThan';
      case '<':
        return 'LessThan';
      default:
        throw invalidSelector(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw invalidSelector(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === ')') {
      this.next(true);
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw invalidSelector(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.identifierList();
    if (this.next(true).tok !== ')') throw invalidSelector(`found '${lit}', expected: ')'`);
    return values;
  }

  /** Comma-separated identifiers where empty entries ("a,,b", "(,a)") stand for "". */
  private identifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'id') {
        values.push(lit);
        const after = this.peek(true);
        if (after.tok === ',') continue;
        if (after.tok === ')') return values;
        throw invalidSelector(`found '${after.lit}', expected: ',' or ')'`);
      }
      if (tok === ',') {
        if (values.length === 0) values.push('');
        const after = this.peek(true).tok;
        if (after === ')' || after === ',') {
          values.push('');
          if (after === ')') return values;
        }
        continue;
      }
      throw invalidSelector(`found '${lit}', expected: ',', or identifier`);
    }
  }

  private exactValue(): string[] {
    const { tok } = this.peek(true);
    if (tok === 'eos' || tok === ',') return [''];
    const it = this.next(true);
    if (it.tok === 'id') return [it.lit];
    throw invalidSelector(`found '${it.lit}', expected: identifier`);
  }
}

/** The requirements of a selector in string syntax, in their written order. */
export function parseRequirements(text: string): Requirement[] {
  return new Parser(lex(text)).parse();
}
