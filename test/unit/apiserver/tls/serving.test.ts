import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from '../../../../src/base/clock.js';
import { isNodeletError, ErrorCode } from '../../../../src/base/errors.js';
import { createLogger } from '../../../../src/base/log.js';
import { loadServingTls, servingNames, type ServingNames } from '../../../../src/apiserver/tls/serving.js';
import { createCertificate, generatePrivateKey, privateKeyPem } from '../../../../src/apiserver/tls/x509.js';

const log = createLogger({ level: 'error', format: 'json' });
const DAY = 24 * 3600 * 1000;

const names: ServingNames = servingNames({ advertiseAddress: '192.0.2.10', bindAddress: '0.0.0.0', firstServiceIP: '10.96.0.1', hostname: 'Node-1' });

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nodelet-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('servingNames covers loopback, host, advertise address, the first service IP and the in-cluster names', () => {
  assert.deepEqual(names.dnsNames, ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'node-1']);
  assert.deepEqual(names.ipAddresses, ['127.0.0.1', '192.0.2.10', '10.96.0.1']);
  const v6 = servingNames({ advertiseAddress: '127.0.0.1', bindAddress: '::', firstServiceIP: '10.96.0.1', hostname: 'bad_host' });
  assert.deepEqual(v6.ipAddresses, ['127.0.0.1', '10.96.0.1', '::1']);
  assert.ok(!v6.dnsNames.includes('bad_host'), 'a host name that is no DNS name is left out');
});

test('a CA signs a serving certificate that node:crypto verifies, with every name', () => {
  const caKey = generatePrivateKey();
  const now = Date.now();
  const caPem = createCertificate({ commonName: 'nodelet-ca', usage: 'ca', key: caKey, notBefore: new Date(now), notAfter: new Date(now + 10 * DAY) });
  const ca = new X509Certificate(caPem);
  assert.equal(ca.ca, true);
  assert.equal(ca.subject, 'CN=nodelet-ca');
  assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');

  const key = generatePrivateKey();
  const pem = createCertificate({ commonName: 'kube-apiserver', usage: 'server', key, issuer: { cert: ca, key: caKey }, ...names, notBefore: new Date(now), notAfter: new Date(now + DAY) });
  const cert = new X509Certificate(pem);
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(ca));
  assert.ok(cert.verify(ca.publicKey));
  assert.ok(cert.checkPrivateKey(key));
  for (const dns of names.dnsNames) assert.equal(cert.checkHost(dns), dns, dns);
  for (const ip of names.ipAddresses) assert.equal(cert.checkIP(ip), ip, ip);
  assert.equal(cert.checkHost('other.example'), undefined);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: serverAuth');
  assert.equal(cert.issuer, 'CN=nodelet-ca');

  const other = generatePrivateKey();
  assert.ok(!cert.verify(createPublicKey(other)), 'a different key does not verify it');
});

test('client certificates carry the user in CN and groups in O', () => {
  const key = generatePrivateKey();
  const pem = createCertificate({ commonName: 'system:node:n1', organizations: ['system:nodes', 'extra'], usage: 'client', key, notBefore: new Date(), notAfter: new Date(Date.now() + DAY) });
  const cert = new X509Certificate(pem);
  assert.equal(cert.subject, 'O=system:nodes\nO=extra\nCN=system:node:n1');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
});

test('first start creates the CA and serving cert with private keys 0600; later starts reuse them', async (t) => {
  const dir = await tempDir(t);
  const first = await loadServingTls({ dataDir: dir, names, clock: systemClock, log });
  for (const [file, mode] of [['ca.key', 0o600], ['apiserver.key', 0o600], ['ca.crt', 0o644], ['apiserver.crt', 0o644]] as const) {
    assert.equal((await stat(path.join(dir, 'pki', file))).mode & 0o777, mode, file);
  }
  assert.equal((await stat(path.join(dir, 'pki'))).mode & 0o777, 0o700);
  assert.equal(first.caBundle, await readFile(path.join(dir, 'pki', 'ca.crt'), 'utf8'));
  const second = await loadServingTls({ dataDir: dir, names, clock: systemClock, log });
  assert.deepEqual(second, first);
});

test('changed names, a mismatched key or near expiry reissue the serving cert under the same CA', async (t) => {
  const dir = await tempDir(t);
  const first = await loadServingTls({ dataDir: dir, names, clock: systemClock, log });

  const moved = { ...names, ipAddresses: ['127.0.0.1', '192.0.2.99', '10.96.0.1'] };
  const second = await loadServingTls({ dataDir: dir, names: moved, clock: systemClock, log });
  assert.equal(second.caBundle, first.caBundle);
  assert.notEqual(second.cert, first.cert);
  assert.equal(new X509Certificate(second.cert).checkIP('192.0.2.99'), '192.0.2.99');
  assert.equal(new X509Certificate(second.cert).checkIP('192.0.2.10'), undefined);

  await writeFile(path.join(dir, 'pki', 'apiserver.key'), privateKeyPem(generatePrivateKey()));
  const third = await loadServingTls({ dataDir: dir, names: moved, clock: systemClock, log });
  assert.notEqual(third.cert, second.cert);
  assert.ok(new X509Certificate(third.cert).checkPrivateKey(createPrivateKey(third.key)));

  const later: Clock = { now: () => Date.now() + 300 * DAY, sleep: systemClock.sleep };
  const fourth = await loadServingTls({ dataDir: dir, names: moved, clock: later, log });
  assert.notEqual(fourth.cert, third.cert);
  assert.equal(fourth.caBundle, first.caBundle);
});

test('a CA certificate without its key is an error, not a silent new CA', async (t) => {
  const dir = await tempDir(t);
  await loadServingTls({ dataDir: dir, names, clock: systemClock, log });
  await rm(path.join(dir, 'pki', 'ca.key'));
  await assert.rejects(loadServingTls({ dataDir: dir, names, clock: systemClock, log }), (err) => isNodeletError(err, ErrorCode.InvalidConfig) && /ca\.key/.test(err.message));
});

test('given certificate files are used as is; a key of another certificate is refused', async (t) => {
  const dir = await tempDir(t);
  const key = generatePrivateKey();
  const pem = createCertificate({ commonName: 'mine', usage: 'server', key, dnsNames: ['localhost'], notBefore: new Date(), notAfter: new Date(Date.now() + DAY) });
  const [certFile, keyFile, otherKey] = [path.join(dir, 'tls.crt'), path.join(dir, 'tls.key'), path.join(dir, 'other.key')];
  await writeFile(certFile, pem);
  await writeFile(keyFile, privateKeyPem(key));
  await writeFile(otherKey, privateKeyPem(generatePrivateKey()));
  const tls = await loadServingTls({ dataDir: path.join(dir, 'data'), names, certFile, keyFile, clock: systemClock, log });
  assert.equal(tls.cert, pem);
  assert.equal(tls.caBundle, pem);
  await assert.rejects(loadServingTls({ dataDir: dir, names, certFile, keyFile: otherKey, clock: systemClock, log }), /--tls-private-key-file .* is not the key/);
  await assert.rejects(loadServingTls({ dataDir: dir, names, certFile: keyFile, keyFile, clock: systemClock, log }), /--tls-cert-file: .* no valid PEM certificate/);
});

test('a TLS client trusting only the generated CA connects by the in-cluster name', async (t) => {
  const dir = await tempDir(t);
  const tls = await loadServingTls({ dataDir: dir, names, clock: systemClock, log });
  const server = https.createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  const get = (servername: string): Promise<string> =>
    new Promise((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, servername, ca: tls.caBundle, path: '/', agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  assert.equal(await get('kubernetes.default.svc'), 'ok');
  await assert.rejects(get('not-in-the-cert.example'), /altnames|Hostname/);
});
