import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateName, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, NAME_SUFFIX_ALPHABET, validateName } from '../../../src/api/names.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

test('DNS names: valid and invalid values with upstream messages', () => {
  const cases: Array<[(v: string) => string[], string, string[]]> = [
    [isDNS1123Subdomain, 'a.b-c.d', []],
    [isDNS1123Subdomain, '0', []],
    [isDNS1123Subdomain, 'Foo', [SUBDOMAIN_MSG]],
    [isDNS1123Subdomain, 'a..b', [SUBDOMAIN_MSG]],
    [isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
    [isDNS1123Label, 'my-name', []],
    [isDNS1123Label, 'a.b', ['must not contain dots']],
    [isDNS1123Label, '-a', [LABEL_MSG]],
    [isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
    [isDNS1035Label, 'web', []],
    [isDNS1035Label, '1web', [DNS1035_MSG]],
  ];
  for (const [check, value, want] of cases) assert.deepEqual(check(value), want, `${check.name}(${value.slice(0, 20)})`);
});

test('a generateName prefix may end in a dash', () => {
  assert.deepEqual(validateName('subdomain', 'web-', true), []);
  assert.deepEqual(validateName('subdomain', 'web-'), [SUBDOMAIN_MSG]);
  assert.deepEqual(validateName('label', 'ns-', true), []);
  assert.deepEqual(validateName('dns1035', '9-', true), [DNS1035_MSG]);
});

test('generated names add 5 characters of the upstream alphabet and cut long bases', () => {
  let i = 0;
  assert.equal(generateName('web-', () => i++), 'web-bcdfg');
  assert.equal(generateName('x-', () => NAME_SUFFIX_ALPHABET.length - 1), 'x-99999');
  const long = generateName('a'.repeat(70));
  assert.equal(long.length, 63);
  assert.match(long, /^a{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  const seen = new Set(Array.from({ length: 50 }, () => generateName('p-')));
  assert.ok(seen.size > 45, 'suffixes are random');
});
