import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isNodeletError, ErrorCode } from '../../../../src/base/errors.js';
import { adminToken, ensureGeneratedTokenFile, formatTokenLine, parseTokenFile, splitCsvLine } from '../../../../src/apiserver/auth/token-file.js';
import { TokenAuthenticator, bearerToken } from '../../../../src/apiserver/auth/token.js';
import { unionAuthenticator } from '../../../../src/apiserver/auth/union.js';
import { userFromSubject } from '../../../../src/apiserver/auth/x509.js';

function request(authorization?: string): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  if (authorization !== undefined) req.headers.authorization = authorization;
  return req;
}

test('a token file in upstream CSV format parses, with quoted groups, comments and blank lines', () => {
  const text = [
    '# tokens',
    'abc123,admin,uid-1,"system:masters,ops"',
    '',
    'def456,alice,uid-2',
    ' ghi789 , bob , uid-3 , "devs" ',
    'jkl,carol,uid-4,single',
    'q"x,"a ""quoted"" name",uid-5',
  ];
  // The last line has a quote inside an unquoted token: malformed, so test it separately.
  const entries = parseTokenFile(text.slice(0, -1).join('\r\n'), 'tokens.csv');
  assert.deepEqual(
    entries.map((e) => [e.token, e.user.name, e.user.uid, e.user.groups, e.line]),
    [
      ['abc123', 'admin', 'uid-1', ['system:masters', 'ops'], 2],
      ['def456', 'alice', 'uid-2', [], 4],
      ['ghi789', 'bob', 'uid-3', ['devs'], 5],
      ['jkl', 'carol', 'uid-4', ['single'], 6],
    ],
  );
  assert.equal(adminToken(entries)?.token, 'abc123');
  assert.deepEqual(splitCsvLine('t,"a ""q"" b",u'), ['t', 'a "q" b', 'u']);
  assert.match(String(splitCsvLine('q"x,n,u')), /quote inside an unquoted field/);
});

test('malformed lines are reported with the file and line number', () => {
  const cases: Array<[string, RegExp]> = [
    ['ok,u,1\nonly,two', /^f\.csv:2: 2 column\(s\), at least 3 needed/],
    ['a,b,c,d,e', /^f\.csv:1: 5 columns, at most 4/],
    ['a,b,c,"g1,g2', /^f\.csv:1: unterminated quoted field/],
    ['a,b,c,"g1"x', /^f\.csv:1: unexpected character after a quoted field/],
    ['\n\n,user,uid', /^f\.csv:3: empty token/],
    ['tok,,uid', /^f\.csv:1: empty user name/],
    ['to k,u,1', /^f\.csv:1: the token contains white space/],
  ];
  for (const [text, want] of cases) {
    assert.throws(() => parseTokenFile(text, 'f.csv'), (err) => isNodeletError(err, ErrorCode.InvalidConfig) && want.test(err.message), text);
  }
});

test('a duplicate token is an error naming both lines', () => {
  assert.throws(() => parseTokenFile('same,alice,1\nother,bob,2\nsame,carol,3', 'f.csv'), /f\.csv:3: duplicate token \(first on line 1\)$/);
});

test('formatTokenLine writes what parseTokenFile reads', () => {
  const user = { name: 'admin', uid: 'admin', groups: ['system:masters', 'x'] };
  const line = formatTokenLine('tok', user);
  assert.equal(line, 'tok,admin,admin,"system:masters,x"');
  assert.deepEqual(parseTokenFile(line, 'f')[0]?.user, user);
});

test('the generated token file holds one random admin token, mode 0600, and is reused', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nodelet-auth-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'tokens.csv');
  const first = await ensureGeneratedTokenFile(file);
  assert.equal(first.created, true);
  assert.equal(first.entries.length, 1);
  const admin = first.entries[0];
  assert.match(admin?.token ?? '', /^[0-9a-f]{64}$/);
  assert.deepEqual(admin?.user, { name: 'admin', uid: 'admin', groups: ['system:masters'] });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.match(await readFile(file, 'utf8'), /^[0-9a-f]{64},admin,admin,system:masters\n$/);
  const second = await ensureGeneratedTokenFile(file);
  assert.equal(second.created, false);
  assert.deepEqual(second.entries, first.entries);
});

test('the token authenticator accepts known bearer tokens only', () => {
  const auth = new TokenAuthenticator(parseTokenFile('secret-1,admin,1,system:masters\nsecret-2,alice,2', 'f'));
  assert.deepEqual(auth.authenticate(request('Bearer secret-1')), { name: 'admin', uid: '1', groups: ['system:masters'] });
  assert.deepEqual(auth.authenticate(request('bearer  secret-2 ')), { name: 'alice', uid: '2', groups: [] });
  assert.equal(auth.authenticate(request()), undefined);
  assert.equal(auth.authenticate(request('Bearer wrong')), undefined);
  assert.equal(auth.authenticate(request('Bearer secret-')), undefined);
  assert.equal(auth.authenticate(request('Basic c2VjcmV0LTE=')), undefined);
  assert.equal(auth.authenticate(request('Bearer ')), undefined);
  // A caller cannot change what the next caller sees.
  const user = auth.authenticate(request('Bearer secret-1'));
  user?.groups.push('evil');
  assert.deepEqual(auth.authenticate(request('Bearer secret-1'))?.groups, ['system:masters']);
});

test('bearerToken reads the header as upstream does', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('BEARER abc'), 'abc');
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken('Bearerabc'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test('the union authenticator returns the first user found', () => {
  const none = { authenticate: () => undefined };
  const alice = { authenticate: () => ({ name: 'alice', uid: '', groups: [] }) };
  const bob = { authenticate: () => ({ name: 'bob', uid: '', groups: [] }) };
  assert.equal(unionAuthenticator([none, alice, bob]).authenticate(request())?.name, 'alice');
  assert.equal(unionAuthenticator([none]).authenticate(request()), undefined);
  assert.equal(unionAuthenticator([]).authenticate(request()), undefined);
});

test('a client certificate subject maps CN to the user and O to groups', () => {
  assert.deepEqual(userFromSubject({ CN: 'system:node:n1', O: 'system:nodes' }), { name: 'system:node:n1', uid: '', groups: ['system:nodes'] });
  assert.deepEqual(userFromSubject({ CN: 'u', O: ['a', 'b'] }), { name: 'u', uid: '', groups: ['a', 'b'] });
  assert.equal(userFromSubject({ O: 'a' }), undefined);
  assert.equal(userFromSubject(undefined), undefined);
});
