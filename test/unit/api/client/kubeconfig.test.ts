import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadKubeconfig } from '../../../../src/api/client/kubeconfig.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kubeconfig-test-'));
  await mkdir(path.join(dir, 'pki'));
  await writeFile(path.join(dir, 'pki', 'ca.crt'), 'CA-FROM-FILE');
  await writeFile(path.join(dir, 'pki', 'client.crt'), 'CERT-FROM-FILE');
  await writeFile(path.join(dir, 'pki', 'client.key'), 'KEY-FROM-FILE');
  await writeFile(path.join(dir, 'token'), '  token-from-file\n');
});
after(() => rm(dir, { recursive: true, force: true }));

const b64 = (s: string): string => Buffer.from(s).toString('base64');

interface Parts {
  cluster?: Record<string, unknown>;
  user?: Record<string, unknown>;
  context?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

let n = 0;
/** Writes a kubeconfig with one context "main" (cluster c, user u) plus `extra` top-level overrides. */
async function write(parts: Parts): Promise<string> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1:6443', ...parts.cluster } }],
    users: [{ name: 'u', user: { ...parts.user } }],
    contexts: [{ name: 'main', context: { cluster: 'c', user: 'u', ...parts.context } }],
    'current-context': 'main',
    ...parts.extra,
  };
  const file = path.join(dir, `config-${n++}`);
  await writeFile(file, YAML.stringify(doc));
  return file;
}

async function rejectsConfig(file: string, message: RegExp, context?: string): Promise<void> {
  await assert.rejects(loadKubeconfig(file, context), (err: unknown) => {
    assert.ok(isNodeletError(err, ErrorCode.InvalidConfig), String(err));
    assert.match(err.message, message);
    return true;
  });
}

test('inline data: CA, client certificate and key are decoded; token read as is', async () => {
  const file = await write({
    cluster: { 'certificate-authority-data': b64('CA-DATA') },
    user: { 'client-certificate-data': b64('CERT-DATA'), 'client-key-data': b64('KEY-DATA'), token: 'abc' },
  });
  const c = await loadKubeconfig(file);
  assert.equal(c.server, 'https://10.0.0.1:6443');
  assert.equal(c.ca?.toString(), 'CA-DATA');
  assert.equal(c.cert?.toString(), 'CERT-DATA');
  assert.equal(c.key?.toString(), 'KEY-DATA');
  assert.equal(c.token, 'abc');
  assert.equal(c.insecureSkipTlsVerify, false);
});

test('file forms: relative paths resolve against the kubeconfig directory; tokenFile is trimmed', async () => {
  const file = await write({
    cluster: { 'certificate-authority': 'pki/ca.crt' },
    user: { 'client-certificate': 'pki/client.crt', 'client-key': path.join(dir, 'pki', 'client.key'), tokenFile: 'token' },
  });
  const c = await loadKubeconfig(file);
  assert.equal(c.ca?.toString(), 'CA-FROM-FILE');
  assert.equal(c.cert?.toString(), 'CERT-FROM-FILE');
  assert.equal(c.key?.toString(), 'KEY-FROM-FILE');
  assert.equal(c.token, 'token-from-file');
});

test('an inline token wins over tokenFile, as in client-go', async () => {
  const file = await write({ user: { token: 'inline', tokenFile: 'does-not-exist' } });
  assert.equal((await loadKubeconfig(file)).token, 'inline');
});

test('the given context overrides current-context; namespace and tls-server-name are kept', async () => {
  const file = await write({
    extra: {
      clusters: [
        { name: 'c', cluster: { server: 'https://10.0.0.1:6443' } },
        { name: 'other', cluster: { server: 'http://127.0.0.1:8080/', 'tls-server-name': 'kubernetes' } },
      ],
      contexts: [
        { name: 'main', context: { cluster: 'c', user: 'u' } },
        { name: 'second', context: { cluster: 'other', user: 'u', namespace: 'kube-system' } },
      ],
    },
  });
  assert.equal((await loadKubeconfig(file)).server, 'https://10.0.0.1:6443');
  const c = await loadKubeconfig(file, 'second');
  assert.equal(c.server, 'http://127.0.0.1:8080');
  assert.equal(c.namespace, 'kube-system');
  assert.equal(c.tlsServerName, 'kubernetes');
  assert.equal(c.token, undefined);
});

test('insecure-skip-tls-verify is read', async () => {
  const c = await loadKubeconfig(await write({ cluster: { 'insecure-skip-tls-verify': true } }));
  assert.equal(c.insecureSkipTlsVerify, true);
  assert.equal(c.ca, undefined);
});

test('missing or contradictory pieces fail with InvalidConfig naming them', async () => {
  await rejectsConfig(await write({ extra: { 'current-context': '' } }), /current-context is not set/);
  await rejectsConfig(await write({}), /context "nope" not found/, 'nope');
  await rejectsConfig(await write({ context: { cluster: 'missing' } }), /cluster "missing" \(of context "main"\) not found/);
  await rejectsConfig(await write({ context: { user: 'ghost' } }), /user "ghost" \(of context "main"\) not found/);
  await rejectsConfig(await write({ cluster: { server: '' } }), /cluster "c" has no server/);
  await rejectsConfig(await write({ cluster: { server: 'ftp://x' } }), /must be an https:\/\//);
  await rejectsConfig(await write({ user: { 'client-certificate-data': b64('C') } }), /client-key-data or client-key must be specified/);
  await rejectsConfig(await write({ user: { 'client-key': 'pki/client.key' } }), /client-certificate-data or client-certificate must be specified/);
  await rejectsConfig(
    await write({ cluster: { 'certificate-authority-data': b64('A'), 'certificate-authority': 'pki/ca.crt' } }),
    /certificate-authority-data and certificate-authority are both specified/,
  );
  await rejectsConfig(
    await write({ cluster: { 'certificate-authority-data': b64('A'), 'insecure-skip-tls-verify': true } }),
    /root certificates file with the insecure flag/,
  );
  await rejectsConfig(await write({ cluster: { 'certificate-authority': 'pki/missing.crt' } }), /cannot read certificate-authority .*pki\/missing\.crt/);
  await rejectsConfig(await write({ user: { tokenFile: 'nowhere' } }), /cannot read tokenFile/);
  await rejectsConfig(await write({ user: { exec: { command: 'aws' } } }), /user "u": exec credential plugins are not supported/);
  await rejectsConfig(await write({ cluster: { 'certificate-authority-data': '!!not base64!!' } }), /certificate-authority-data is not valid base64/);
  await rejectsConfig(await write({ cluster: { 'insecure-skip-tls-verify': 'yes' } }), /insecure-skip-tls-verify must be true or false/);
});

test('an unreadable or malformed file fails with InvalidConfig', async () => {
  await rejectsConfig(path.join(dir, 'absent'), /cannot read/);
  const bad = path.join(dir, 'bad.yaml');
  await writeFile(bad, 'clusters: [unclosed');
  await rejectsConfig(bad, /not valid YAML/);
  const scalar = path.join(dir, 'scalar.yaml');
  await writeFile(scalar, 'just text');
  await rejectsConfig(scalar, /expected a YAML mapping/);
});
