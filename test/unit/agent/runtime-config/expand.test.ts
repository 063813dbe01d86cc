import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, mappingFor } from '../../../../src/agent/runtime-config/expand.js';

// Cases from upstream third_party/forked/golang/expansion expand_test.go (TestMapReference/TestMapping).
test('expand follows the forked golang expansion rules', () => {
  const mapping = mappingFor(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_C', 'C'], ['VAR_REF', '$(VAR_A)'], ['VAR_EMPTY', '']]), {
    BLU: 'blu',
  });
  const cases: Array<[string, string]> = [
    ['$(VAR_A)', 'A'],
    ['___$(VAR_B)___', '___B___'],
    ['$(VAR_A)-$(VAR_B)', 'A-B'],
    ['$(VAR_A)$(VAR_B)$(VAR_C)', 'ABC'],
    ['$(VAR_REF)', '$(VAR_A)'],
    ['x$(VAR_EMPTY)y', 'xy'],
    ['$(BLU)', 'blu'],
    ['$(VAR_DNE)', '$(VAR_DNE)'],
    ['$$(VAR_A)', '$(VAR_A)'],
    ['$$$(VAR_A)', '$A'],
    ['$$$$(VAR_A)', '$$(VAR_A)'],
    ['foo$$bar', 'foo$bar'],
    ['$VAR_A', '$VAR_A'],
    ['$(VAR_A', '$(VAR_A'],
    ['$(', '$('],
    ['$', '$'],
    ['a$', 'a$'],
    ['$()', '$()'],
    ['$(VAR_A)$', 'A$'],
    ['echo $(VAR_A) ${VAR_B}', 'echo A ${VAR_B}'],
    ['$(VAR_A)) (', 'A) ('],
  ];
  for (const [input, want] of cases) assert.equal(expand(input, mapping), want, input);
});
