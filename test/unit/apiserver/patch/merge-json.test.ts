import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, applyMergePatch, httpStatusForPatchError, patchTypeOf, PATCH_CONTENT_TYPES } from '../../../../src/apiserver/patch/index.js';
import type { JsonValue } from '../../../../src/api/object.js';

test('merge patch follows RFC 7386 (its appendix A examples)', () => {
  const cases: Array<[JsonValue, JsonValue, JsonValue]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [original, patch, want] of cases) {
    assert.deepEqual(applyMergePatch(original, patch), want, JSON.stringify({ original, patch }));
  }
});

test('merge patch neither modifies nor aliases its inputs', () => {
  const original = { spec: { replicas: 1, template: { labels: { a: 'b' } } } };
  const patch = { spec: { replicas: 3, extra: { x: 1 } } };
  const result = applyMergePatch(original, patch);
  assert.deepEqual(original, { spec: { replicas: 1, template: { labels: { a: 'b' } } } });
  (((result as { spec: { template: { labels: { a: string } } } }).spec.template.labels).a) = 'changed';
  assert.equal(original.spec.template.labels.a, 'b');
});

test('json patch applies RFC 6902 operations in order', () => {
  const doc = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }], replicas: 1 } };
  const cases: Array<[string, unknown, JsonValue]> = [
    ['add member', [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }], { ...doc, metadata: { labels: { app: 'web', tier: 'fe' } } }],
    ['add replaces an existing member', [{ op: 'add', path: '/spec/replicas', value: 5 }], { ...doc, spec: { ...doc.spec, replicas: 5 } }],
    [
      'add into a list and at its end',
      [
        { op: 'add', path: '/spec/containers/1', value: { name: 'x' } },
        { op: 'add', path: '/spec/containers/-', value: { name: 'z' } },
      ],
      { ...doc, spec: { ...doc.spec, containers: [{ name: 'a' }, { name: 'x' }, { name: 'b' }, { name: 'z' }] } },
    ],
    ['remove', [{ op: 'remove', path: '/spec/containers/0' }], { ...doc, spec: { ...doc.spec, containers: [{ name: 'b' }] } }],
    ['replace', [{ op: 'replace', path: '/spec/containers/1/name', value: 'c' }], { ...doc, spec: { ...doc.spec, containers: [{ name: 'a' }, { name: 'c' }] } }],
    [
      'move',
      [{ op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/name' }],
      { ...doc, metadata: { labels: { name: 'web' } } },
    ],
    [
      'copy',
      [{ op: 'copy', from: '/spec/containers/0', path: '/spec/containers/-' }],
      { ...doc, spec: { ...doc.spec, containers: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] } },
    ],
    ['test then replace', [{ op: 'test', path: '/spec/replicas', value: 1 }, { op: 'replace', path: '/spec/replicas', value: 2 }], { ...doc, spec: { ...doc.spec, replicas: 2 } }],
    ['escaped pointer', [{ op: 'add', path: '/metadata/labels/a~1b~0c', value: 'v' }], { ...doc, metadata: { labels: { app: 'web', 'a/b~c': 'v' } } }],
    ['replace whole document', [{ op: 'replace', path: '', value: { x: 1 } }], { x: 1 }],
  ];
  for (const [name, ops, want] of cases) {
    assert.deepEqual(applyJsonPatch(doc, ops), want, name);
  }
  assert.deepEqual(doc.spec.containers, [{ name: 'a' }, { name: 'b' }], 'the original is untouched');
});

test('json patch errors: malformed body is 400, inapplicable operations are 422 with upstream wording', () => {
  const doc = { a: { b: 1 }, list: [1, 2] };
  const cases: Array<[unknown, number, RegExp]> = [
    [{ op: 'add' }, 400, /array of operations/],
    [[{ path: '/a' }], 400, /no "op"/],
    [[{ op: 'test', path: '/a/b', value: 2 }], 422, /^testing value \/a\/b failed: test failed$/],
    [[{ op: 'remove', path: '/a/missing' }], 422, /remove operation does not apply: doc is missing path: "\/a\/missing"/],
    [[{ op: 'replace', path: '/a/missing', value: 1 }], 422, /replace operation does not apply: doc is missing key: \/a\/missing/],
    [[{ op: 'add', path: '/x/y', value: 1 }], 422, /add operation does not apply: doc is missing path: "\/x\/y"/],
    [[{ op: 'add', path: '/list/5', value: 1 }], 422, /invalid index/],
    [[{ op: 'remove', path: '/list/2' }], 422, /invalid index/],
    [[{ op: 'move', from: '/a', path: '/a/b/c' }], 422, /cannot be moved into one of its children/],
    [[{ op: 'frobnicate', path: '/a' }], 422, /Unexpected kind: frobnicate/],
    [[{ op: 'add', path: 'a', value: 1 }], 422, /JSON pointer/],
    [Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/a' })), 413, /maximum operations/],
  ];
  for (const [ops, status, message] of cases) {
    assert.throws(
      () => applyJsonPatch(doc, ops),
      (err: unknown) => {
        assert.equal(httpStatusForPatchError(err), status, JSON.stringify(ops).slice(0, 80));
        assert.match((err as Error).message, message);
        return true;
      },
    );
  }
});

test('a failed operation leaves no partial result behind', () => {
  const doc = { a: 1 };
  assert.throws(() => applyJsonPatch(doc, [{ op: 'replace', path: '/a', value: 2 }, { op: 'test', path: '/a', value: 3 }]));
  assert.deepEqual(doc, { a: 1 });
});

test('patch content types map to patch types', () => {
  assert.equal(patchTypeOf('application/strategic-merge-patch+json; charset=utf-8'), 'strategic');
  assert.equal(patchTypeOf(PATCH_CONTENT_TYPES.json), 'json');
  assert.equal(patchTypeOf('Application/Merge-Patch+JSON'), 'merge');
  assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
  assert.equal(patchTypeOf('application/json'), undefined);
});
