import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ClientCertAuthenticator } from '../../../../src/apiserver/auth/x509.js';
import { createCertificate, generatePrivateKey, privateKeyPem, type CertUsage } from '../../../../src/apiserver/tls/x509.js';

const DAY = 24 * 3600 * 1000;

interface Issued {
  cert: string;
  key: KeyObject;
}

function issue(commonName: string, usage: CertUsage, issuer?: Issued, organizations: string[] = [], dnsNames: string[] = []): Issued {
  const key = generatePrivateKey();
  const cert = createCertificate({
    commonName,
    organizations,
    usage,
    key,
    dnsNames,
    ...(issuer === undefined ? {} : { issuer: { cert: new X509Certificate(issuer.cert), key: issuer.key } }),
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + DAY),
  });
  return { cert, key };
}

test('x509 client certificates signed by the client CA authenticate; others do not', async (t) => {
  const serverCA = issue('server-ca', 'ca');
  const serving = issue('apiserver', 'server', serverCA, [], ['localhost']);
  const clientCA = issue('client-ca', 'ca');
  const strangerCA = issue('stranger-ca', 'ca');

  const auth = new ClientCertAuthenticator();
  const server = https.createServer(
    { cert: serving.cert, key: privateKeyPem(serving.key), ca: clientCA.cert, requestCert: true, rejectUnauthorized: false },
    (req, res) => res.end(JSON.stringify(auth.authenticate(req) ?? null)),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;

  const whoami = (client?: Issued): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const opts = { host: '127.0.0.1', port, servername: 'localhost', ca: serverCA.cert, path: '/', agent: false };
      const withCert = client === undefined ? opts : { ...opts, cert: client.cert, key: privateKeyPem(client.key) };
      https
        .get(withCert, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve(JSON.parse(body)));
        })
        .on('error', reject);
    });

  assert.deepEqual(await whoami(issue('system:node:n1', 'client', clientCA, ['system:nodes'])), { name: 'system:node:n1', uid: '', groups: ['system:nodes'] });
  assert.equal(await whoami(), null, 'no certificate: not authenticated, but the connection is allowed (tokens)');
  assert.equal(await whoami(issue('mallory', 'client', strangerCA, ['system:masters'])), null, 'another CA');
  assert.equal(await whoami(issue('server-only', 'server', clientCA)), null, 'a certificate not meant for client auth');
});
