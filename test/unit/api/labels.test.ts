import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabelSelectorObject,
  formatLabels,
  isQualifiedName,
  isValidLabelValue,
  matchesLabels,
  parseLabelSelector,
  selectorFromLabelSelectorObject,
  selectorToString,
} from '../../../src/api/labels.js';
import { isNodeletError } from '../../../src/base/errors.js';

test('label selector syntax parses to the canonical form (sorted by key)', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
    ['z=c,x=a', 'x=a,z=c'],
    ['x==a', 'x==a'],
    ['x!=a,y=b', 'x!=a,y=b'],
    ['x=', 'x='],
    ['x= ,z= ', 'x=,z='],
    [' x = a ', 'x=a'],
    ['!x', '!x'],
    ['x', 'x'],
    ['x>1', 'x>1'],
    ['x<5', 'x<5'],
    ['x in (b,a)', 'x in (a,b)'],
    ['x notin (a)', 'x notin (a)'],
    ['x in ()', 'x in ()'],
    ['x in (,a)', 'x in (,a)'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['w in (in,notin)', 'w in (in,notin)'],
    ['example.com/app=web', 'example.com/app=web'],
    ['!legacy,app.kubernetes.io/name in (a)', 'app.kubernetes.io/name in (a),!legacy'],
  ];
  for (const [text, want] of cases) {
    assert.equal(selectorToString(parseLabelSelector(text)), want, text);
  }
});

test('invalid label selectors fail with upstream wording as InvalidArgument', () => {
  const cases: Array<[string, RegExp]> = [
    ['x=a b', /^found 'b', expected: ',' or 'end of string'$/],
    ['a=b,', /^found '', expected: identifier after ','$/],
    [',a', /^found ',', expected: !, identifier, or 'end of string'$/],
    ['x in a', /^unable to parse requirement: found 'a' expected: '\('$/],
    ['x in (a', /unable to parse requirement: found '', expected: ',' or '\)'/],
    ['x (a)', /unable to parse requirement: found '\(', expected: in, notin, =, ==, !=, gt, lt/],
    ['!x=a', /^found '=', expected: ',' or 'end of string'$/],
    ['x<-5', /values\[0\]\[x\]: Invalid value: "-5"/],
    ['x>a', /unable to parse requirement: values\[0\]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer/],
    ['x=aa$', /unable to parse requirement: values\[0\]\[x\]: Invalid value: "aa\$": a valid label must be an empty string/],
    ['-x=a', /unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric characters/],
    [`${'k'.repeat(64)}=a`, /name part must be no more than 63 characters/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseLabelSelector(text),
      (err: unknown) => isNodeletError(err, 'InvalidArgument') && message.test(err.message),
      text,
    );
  }
});

test('matching follows set semantics (NotIn and != match a missing key)', () => {
  const cases: Array<[string, Record<string, string> | undefined, boolean]> = [
    ['', undefined, true],
    ['x=a', { x: 'a' }, true],
    ['x=a', { x: 'b' }, false],
    ['x=a', {}, false],
    ['x==a', { x: 'a', y: 'b' }, true],
    ['x!=a', {}, true],
    ['x!=a', { x: 'a' }, false],
    ['x in (a,b)', { x: 'b' }, true],
    ['x in (a,b)', { x: 'c' }, false],
    ['x notin (a,b)', {}, true],
    ['x notin (a,b)', { x: 'a' }, false],
    ['x', { x: '' }, true],
    ['x', { y: '' }, false],
    ['!x', { x: '' }, false],
    ['!x', {}, true],
    ['x>1', { x: '2' }, true],
    ['x>1', { x: '1' }, false],
    ['x<1', { x: '0' }, true],
    ['x>1', { x: 'two' }, false],
    ['x=a,y=b', { x: 'a' }, false],
    ['x=a,y=b', { x: 'a', y: 'b' }, true],
    ['constructor', {}, false],
  ];
  for (const [text, labels, want] of cases) {
    assert.equal(matchesLabels(parseLabelSelector(text), labels), want, `${text} ~ ${JSON.stringify(labels)}`);
  }
});

test('the API selector form: null matches nothing, {} everything', () => {
  assert.equal(matchesLabels(selectorFromLabelSelectorObject(null), { a: 'b' }), false);
  assert.equal(matchesLabels(selectorFromLabelSelectorObject({}), { a: 'b' }), true);
  const sel = selectorFromLabelSelectorObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  assert.equal(selectorToString(sel), 'app=web,!legacy,tier in (be,fe)');
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'fe' }), true);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'fe', legacy: 'y' }), false);
  assert.equal(matchesLabels(sel, { app: 'web', tier: 'db' }), false);
  assert.throws(() => selectorFromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] }), /"Foo" is not a valid label selector operator/);
  assert.throws(() => selectorFromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values set can't be empty/);
  assert.throws(() => selectorFromLabelSelectorObject('app=web'), /must be an object/);
});

test('label keys and values are checked with apimachinery messages', () => {
  assert.deepEqual(isQualifiedName('app'), []);
  assert.deepEqual(isQualifiedName('example.com/App_1'), []);
  assert.deepEqual(isQualifiedName('/a'), ['prefix part must be non-empty']);
  assert.match(isQualifiedName('Example.com/a')[0] ?? '', /^prefix part a lowercase RFC 1123 subdomain must consist of/);
  assert.match(isQualifiedName('a/b/c')[0] ?? '', /^a qualified name must consist of alphanumeric characters.* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.deepEqual(isQualifiedName('a/'), [
    'name part must be non-empty',
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.deepEqual(isValidLabelValue('v1.2_3-x'), []);
  assert.equal(isValidLabelValue('-a').length, 1);
  assert.deepEqual(isValidLabelValue('a'.repeat(64))[0], 'must be no more than 63 characters');
});

test('table formatting of labels and selectors', () => {
  assert.equal(formatLabels(undefined), '<none>');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabelSelectorObject(null), '<none>');
  assert.equal(formatLabelSelectorObject({}), '<none>');
  assert.equal(formatLabelSelectorObject({ matchLabels: { app: 'web' } }), 'app=web');
  assert.equal(formatLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['y', 'x'] }] }), 'a notin (x,y)');
  assert.equal(formatLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Bad' }] }), '<error>');
});
