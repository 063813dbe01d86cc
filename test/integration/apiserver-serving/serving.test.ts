// `nodelet apiserver` as a real process: HTTPS with the generated CA, token authentication, the
// admin kubeconfig used by the machine's kubectl, restart on the same data dir, bad flags.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCertificate, generatePrivateKey, privateKeyPem, type CertUsage } from '../../../src/apiserver/tls/x509.js';
import { createTempDir, freePort, startDaemon, PROJECT_ROOT, type Daemon, type TempDir } from '../../harness/index.js';

const CLI = path.join(PROJECT_ROOT, 'dist/src/cli.js');
const run = promisify(execFile);

interface Reply {
  status: number;
  body: string;
}

let tmp: TempDir;
let port: number;
let daemon: Daemon | undefined;
let starts = 0;

const dataDir = (): string => tmp.join('data');
const kubeconfig = (): string => tmp.join('admin.kubeconfig');

async function adminToken(): Promise<string> {
  const line = (await readFile(path.join(dataDir(), 'tokens.csv'), 'utf8')).split('\n')[0] ?? '';
  return line.split(',')[0] ?? '';
}

async function get(urlPath: string, token?: string, target?: { port: number; ca: string }): Promise<Reply> {
  const ca = target?.ca ?? (await readFile(path.join(dataDir(), 'pki', 'ca.crt'), 'utf8'));
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    https
      .get({ host: '127.0.0.1', port: target?.port ?? port, path: urlPath, ca, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function startApiserver(): Promise<Daemon> {
  starts++;
  return startDaemon({
    name: 'apiserver',
    file: process.execPath,
    args: [CLI, 'apiserver', '--data-dir', dataDir(), '--secure-port', String(port), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--write-kubeconfig', kubeconfig(), '--log-format', 'json'],
    logFile: tmp.join(`apiserver-${starts}.log`),
    ready: async () => existsSync(kubeconfig()) && (await get('/readyz', await adminToken())).status === 200,
    readyTimeoutMs: 60_000,
    readyPolls: 600,
    readyIntervalMs: 100,
  });
}

function kubectlPath(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' });
  const p = found.stdout.trim();
  return found.status === 0 && p !== '' ? p : undefined;
}

async function kubectl(...args: string[]): Promise<string> {
  const bin = kubectlPath();
  assert.ok(bin !== undefined, 'kubectl is on PATH');
  // A private discovery cache: nothing from other runs, nothing left in the home directory.
  const { stdout } = await run(bin, ['--kubeconfig', kubeconfig(), '--cache-dir', tmp.join('kube-cache'), ...args], { timeout: 30_000 });
  return stdout;
}

/** Runs the CLI to completion (for flags that must fail at start). */
function runCli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

before(async () => {
  tmp = await createTempDir();
  port = await freePort();
  daemon = await startApiserver();
});

after(async () => {
  await daemon?.stop();
  await tmp?.dispose();
});

describe('nodelet apiserver serving', () => {
  test('the start is announced with the address and the kubeconfig', async () => {
    const log = await readFile(tmp.join('apiserver-1.log'), 'utf8');
    assert.ok(log.includes(`nodelet apiserver: serving on https://127.0.0.1:${port}; admin kubeconfig: ${kubeconfig()}\n`), log);
  });

  test('secrets on disk are private', async () => {
    for (const file of [kubeconfig(), path.join(dataDir(), 'tokens.csv'), path.join(dataDir(), 'pki', 'ca.key'), path.join(dataDir(), 'pki', 'apiserver.key')]) {
      assert.equal((await stat(file)).mode & 0o777, 0o600, file);
    }
  });

  test('anonymous and unknown tokens get 401, the admin token gets the namespaces', async () => {
    assert.equal((await get('/api/v1/namespaces')).status, 401);
    assert.equal((await get('/api/v1/namespaces', 'not-a-token')).status, 401);
    const ok = await get('/api/v1/namespaces', await adminToken());
    assert.equal(ok.status, 200, ok.body);
    const list = JSON.parse(ok.body) as { kind?: string; items?: Array<{ metadata?: { name?: string } }> };
    assert.equal(list.kind, 'NamespaceList');
    const names = (list.items ?? []).map((i) => i.metadata?.name);
    for (const ns of ['default', 'kube-system', 'kube-node-lease', 'kube-public']) assert.ok(names.includes(ns), `${ns} in ${names.join(',')}`);
  });

  test('kubectl uses the written kubeconfig as is', { skip: kubectlPath() === undefined ? 'no kubectl on PATH' : false }, async () => {
    const out = await kubectl('get', 'ns');
    assert.match(out, /^NAME\s/);
    for (const ns of ['default', 'kube-system', 'kube-node-lease', 'kube-public']) assert.match(out, new RegExp(`^${ns}\\s`, 'm'));
    const manifest = tmp.join('survivor.yaml');
    await writeFile(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: survivor\n  namespace: default\ndata:\n  k: v\n');
    assert.match(await kubectl('apply', '-f', manifest), /configmap\/survivor created/);
    assert.match(await kubectl('get', 'configmap', 'survivor', '-n', 'default', '-o', 'jsonpath={.data.k}'), /^v$/);
  });

  test('a restart on the same data dir keeps the CA, the token and the objects; SIGTERM exits 0', async () => {
    const caBefore = await readFile(path.join(dataDir(), 'pki', 'ca.crt'), 'utf8');
    const kubeconfigBefore = await readFile(kubeconfig(), 'utf8');
    const first = daemon;
    assert.ok(first !== undefined);
    await first.stop(15_000);
    assert.deepEqual(await first.exited, { code: 0, signal: null }, first.logTail());
    daemon = await startApiserver();
    assert.equal(await readFile(path.join(dataDir(), 'pki', 'ca.crt'), 'utf8'), caBefore);
    assert.equal(await readFile(kubeconfig(), 'utf8'), kubeconfigBefore);
    if (kubectlPath() !== undefined) {
      assert.match(await kubectl('get', 'configmap', 'survivor', '-n', 'default', '-o', 'jsonpath={.data.k}'), /^v$/);
    }
  });

  test('open watches do not hold up shutdown', async () => {
    const current = daemon;
    assert.ok(current !== undefined);
    const ca = await readFile(path.join(dataDir(), 'pki', 'ca.crt'), 'utf8');
    const token = await adminToken();
    const watching = new Promise<void>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port, path: '/api/v1/namespaces?watch=1', ca, headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
          res.once('data', () => resolve());
          res.on('error', () => undefined);
          res.resume();
        })
        .on('error', reject);
    });
    await watching;
    const t0 = Date.now();
    await current.stop(15_000);
    assert.deepEqual(await current.exited, { code: 0, signal: null }, current.logTail());
    assert.ok(Date.now() - t0 < 10_000, `shutdown took ${Date.now() - t0} ms`);
    daemon = await startApiserver();
  });

  test('every write acknowledged before kill -9 of the apiserver is there after the restart', async () => {
    const current = daemon;
    assert.ok(current !== undefined);
    const ca = await readFile(path.join(dataDir(), 'pki', 'ca.crt'), 'utf8');
    const token = await adminToken();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca });
    const acked: string[] = [];
    const post = (name: string): Promise<void> =>
      new Promise((resolve) => {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } });
        const req = https.request(
          { host: '127.0.0.1', port, path: '/api/v1/namespaces/default/configmaps', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 201) acked.push(name);
              resolve();
            });
            res.on('error', () => resolve());
          },
        );
        req.on('error', () => resolve()); // cut off by the kill: not acknowledged
        req.end(body);
      });
    // Writers keep going until the kill; the kill lands once some writes were acknowledged.
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = 0; i < 500 && !stop; i++) await post(`durable-${w}-${i}`);
    });
    for (let i = 0; i < 200 && acked.length < 40; i++) await new Promise((r) => setTimeout(r, 25));
    process.kill(current.pid, 'SIGKILL');
    assert.equal((await current.exited).signal, 'SIGKILL');
    stop = true;
    await Promise.all(writers);
    agent.destroy();
    assert.ok(acked.length >= 40, `only ${acked.length} writes were acknowledged before the kill`);
    daemon = await startApiserver();
    const list = await get('/api/v1/namespaces/default/configmaps', token);
    assert.equal(list.status, 200);
    const parsed: unknown = JSON.parse(list.body);
    const items = typeof parsed === 'object' && parsed !== null && 'items' in parsed && Array.isArray(parsed.items) ? (parsed.items as unknown[]) : [];
    const names = new Set(items.map((o) => (typeof o === 'object' && o !== null && 'metadata' in o ? (o.metadata as { name?: string }).name : undefined)));
    const lost = acked.filter((n) => !names.has(n));
    assert.deepEqual(lost, [], `acknowledged but lost after kill -9 (${acked.length} acknowledged)`);
  });

  test('given serving certificates and x509 client certificates work with kubectl', { skip: kubectlPath() === undefined ? 'no kubectl on PATH' : false }, async () => {
    const issue = (commonName: string, usage: CertUsage, issuer?: { cert: string; key: KeyObject }, organizations: string[] = [], ipAddresses: string[] = []) => {
      const key = generatePrivateKey();
      const signer = issuer === undefined ? {} : { issuer: { cert: new X509Certificate(issuer.cert), key: issuer.key } };
      const now = Date.now();
      return { key, cert: createCertificate({ commonName, organizations, usage, key, ipAddresses, ...signer, notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000) }) };
    };
    const serverCA = issue('own-server-ca', 'ca');
    const serving = issue('own-apiserver', 'server', serverCA, [], ['127.0.0.1']);
    const clientCA = issue('own-client-ca', 'ca');
    const alice = issue('alice', 'client', clientCA, ['system:masters']);
    const files = { crt: tmp.join('own.crt'), key: tmp.join('own.key'), clientCA: tmp.join('client-ca.crt'), aliceCrt: tmp.join('alice.crt'), aliceKey: tmp.join('alice.key') };
    await writeFile(files.crt, serving.cert + serverCA.cert);
    await writeFile(files.key, privateKeyPem(serving.key));
    await writeFile(files.clientCA, clientCA.cert);
    await writeFile(files.aliceCrt, alice.cert);
    await writeFile(files.aliceKey, privateKeyPem(alice.key));
    const ownPort = await freePort();
    const own = await startDaemon({
      name: 'apiserver-own-certs',
      file: process.execPath,
      args: [CLI, 'apiserver', '--data-dir', tmp.join('own-data'), '--secure-port', String(ownPort), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--tls-cert-file', files.crt, '--tls-private-key-file', files.key, '--client-ca-file', files.clientCA, '--log-format', 'json'],
      logFile: tmp.join('apiserver-own.log'),
      ready: () => get('/readyz', undefined, { port: ownPort, ca: serverCA.cert }).then((r) => r.status === 200),
    });
    try {
      const bin = kubectlPath() ?? 'kubectl';
      const common = ['--server', `https://127.0.0.1:${ownPort}`, '--certificate-authority', files.crt, '--cache-dir', tmp.join('kube-cache-own')];
      const { stdout } = await run(bin, [...common, '--client-certificate', files.aliceCrt, '--client-key', files.aliceKey, 'get', 'ns', '-o', 'name'], { timeout: 30_000 });
      assert.match(stdout, /^namespace\/kube-system$/m);
      assert.equal((await get('/api/v1/namespaces', undefined, { port: ownPort, ca: serverCA.cert })).status, 401, 'no certificate, no token');
      assert.ok(!existsSync(tmp.join('own-data', 'pki')), 'given certificates: no CA is generated');
    } finally {
      await own.stop();
    }
  });

  test('a second server on the same port fails with a clear message', () => {
    const other = tmp.join('other');
    const r = runCli(['apiserver', '--data-dir', other, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--log-format', 'json', '--log-level', 'error']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot listen on --bind-address 127\.0\.0\.1 --secure-port \d+: the address is in use/);
  });

  test('bad flags exit 1 naming each flag, before anything is written', () => {
    const fresh = tmp.join('never-created');
    const r = runCli(['apiserver', '--data-dir', fresh, '--secure-port', 'x', '--service-cluster-ip-range', '10.0.0.0', '--log-format', 'xml']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--secure-port="x"/);
    assert.match(r.stderr, /--service-cluster-ip-range="10.0.0.0"/);
    assert.match(r.stderr, /--log-format="xml"/);
    assert.ok(!existsSync(fresh), 'no data dir was created');
    const unknown = runCli(['apiserver', '--no-such-flag']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /unknown option '--no-such-flag'/);
  });

  test('a malformed token file stops the start with its line number', async () => {
    const fresh = tmp.join('never-created-2');
    const tokens = tmp.join('bad-tokens.csv');
    await writeFile(tokens, 'good,admin,1,system:masters\nbroken-line\n');
    const r = runCli(['apiserver', '--data-dir', fresh, '--secure-port', String(await freePort()), '--token-auth-file', tokens, '--log-format', 'json']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad-tokens\.csv:2: 1 column\(s\), at least 3 needed/);
    assert.ok(!existsSync(fresh), 'no data dir was created');
  });

  test('--help lists the flags', () => {
    const r = spawnSync(process.execPath, [CLI, 'apiserver', '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const flag of ['--data-dir', '--bind-address', '--secure-port', '--advertise-address', '--service-cluster-ip-range', '--service-node-port-range', '--etcd-servers', '--etcd-prefix', '--token-auth-file', '--tls-cert-file', '--tls-private-key-file', '--client-ca-file', '--write-kubeconfig', '--log-format', '--log-level']) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });
});
