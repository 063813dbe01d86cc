// The apiserver's TLS material. With --tls-cert-file/--tls-private-key-file it is loaded as given;
// otherwise a CA and a serving certificate live in <data-dir>/pki: generated on first start,
// reused later (clients keep trusting the same CA), the serving cert reissued when its names
// change, it nears expiry, or it no longer matches the CA or its key.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../base/clock.js';
import { NodeletError, ErrorCode, errorMessage } from '../../base/errors.js';
import { writeFileAtomic } from '../../base/atomic-file.js';
import type { Logger } from '../../base/log.js';
import { certDnsNames, certIpAddresses, createCertificate, generatePrivateKey, privateKeyPem } from './x509.js';

const DAY_MS = 24 * 3600 * 1000;
export const CA_VALIDITY_DAYS = 3650;
export const SERVING_VALIDITY_DAYS = 365;
/** A serving cert closer than this to expiry is reissued at start. */
export const RENEW_BEFORE_DAYS = 90;
/** Certificates start a little in the past so clients with a slow clock accept them. */
const BACKDATE_MS = 5 * 60 * 1000;

export interface ServingNames {
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
}

export interface TlsMaterial {
  /** PEM of the serving certificate (and its chain, when loaded from a file). */
  cert: string;
  /** PEM of the serving key. */
  key: string;
  /** PEM of what clients should trust (certificate-authority-data of a kubeconfig). */
  caBundle: string;
  /** Where the material came from, for the start message. */
  source: string;
}

export interface ServingTlsOptions {
  dataDir: string;
  names: ServingNames;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  clock: Clock;
  log: Logger;
}

/** The names a client may use for this apiserver: loopback, host, advertise address, in-cluster names. */
export function servingNames(opts: { advertiseAddress: string; bindAddress: string; firstServiceIP: string; hostname: string }): ServingNames {
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const host = opts.hostname.toLowerCase();
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host) && host.length <= 253) dns.push(host);
  const ips = ['127.0.0.1', opts.advertiseAddress, opts.firstServiceIP];
  // ::1 only when the server listens on IPv6; a Node server bound to 0.0.0.0 does not.
  if (opts.bindAddress.includes(':')) ips.push('::1');
  const specific = opts.bindAddress !== '0.0.0.0' && !/^[:0]+$/.test(opts.bindAddress);
  if (specific) ips.push(opts.bindAddress);
  return { dnsNames: unique(dns), ipAddresses: unique(ips) };
}

/** Loads or creates the serving TLS material. InvalidConfig naming the file when something is unusable. */
export async function loadServingTls(opts: ServingTlsOptions): Promise<TlsMaterial> {
  if (opts.certFile !== undefined && opts.keyFile !== undefined) return loadGiven(opts.certFile, opts.keyFile);
  const dir = path.join(opts.dataDir, 'pki');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = await ensureCA(dir, opts);
  return ensureServingCert(dir, ca, opts);
}

async function loadGiven(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const certPem = await readConfigFile('tls-cert-file', certFile);
  const keyPem = await readConfigFile('tls-private-key-file', keyFile);
  const cert = parseCert('tls-cert-file', certFile, certPem);
  const key = parseKey('tls-private-key-file', keyFile, keyPem);
  if (!cert.checkPrivateKey(key)) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--tls-private-key-file ${keyFile} is not the key of the certificate in --tls-cert-file ${certFile}`);
  }
  // Clients trust the file's chain as given: Go and Node accept any certificate of it as an anchor.
  return { cert: certPem, key: keyPem, caBundle: certPem, source: certFile };
}

interface CA {
  cert: X509Certificate;
  certPem: string;
  key: KeyObject;
}

async function ensureCA(dir: string, opts: ServingTlsOptions): Promise<CA> {
  const certFile = path.join(dir, 'ca.crt');
  const keyFile = path.join(dir, 'ca.key');
  const certPem = await readIfExists(certFile);
  if (certPem !== undefined) {
    // ca.crt is written last: once it exists, clients may trust it, so it is never replaced silently.
    const keyPem = await readIfExists(keyFile);
    if (keyPem === undefined) {
      throw new NodeletError(ErrorCode.InvalidConfig, `${certFile} exists but ${keyFile} does not; restore the key, or remove both to create a new CA (clients must then get the new CA)`);
    }
    const cert = parseCert('data-dir', certFile, certPem);
    const key = parseKey('data-dir', keyFile, keyPem);
    if (!cert.checkPrivateKey(key)) throw new NodeletError(ErrorCode.InvalidConfig, `${keyFile} is not the key of ${certFile}`);
    if (Date.parse(cert.validTo) <= opts.clock.now()) opts.log.warn('the cluster CA has expired; clients will reject the apiserver', { file: certFile, validTo: cert.validTo });
    return { cert, certPem, key };
  }
  const key = generatePrivateKey();
  const now = opts.clock.now();
  const pem = createCertificate({
    commonName: 'nodelet-ca',
    usage: 'ca',
    key,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_VALIDITY_DAYS * DAY_MS),
  });
  await writeFileAtomic(keyFile, privateKeyPem(key), { mode: 0o600 });
  await writeFileAtomic(certFile, pem, { mode: 0o644 });
  opts.log.info('created the cluster CA', { file: certFile });
  return { cert: new X509Certificate(pem), certPem: pem, key };
}

async function ensureServingCert(dir: string, ca: CA, opts: ServingTlsOptions): Promise<TlsMaterial> {
  const certFile = path.join(dir, 'apiserver.crt');
  const keyFile = path.join(dir, 'apiserver.key');
  const source = certFile;
  const [certPem, keyPem] = [await readIfExists(certFile), await readIfExists(keyFile)];
  if (certPem !== undefined && keyPem !== undefined) {
    const why = reissueReason(certPem, keyPem, ca, opts);
    if (why === undefined) return { cert: certPem, key: keyPem, caBundle: ca.certPem, source };
    opts.log.info('reissuing the serving certificate', { reason: why, file: certFile });
  }
  const key = generatePrivateKey();
  const now = opts.clock.now();
  const pem = createCertificate({
    commonName: 'kube-apiserver',
    usage: 'server',
    key,
    issuer: { cert: ca.cert, key: ca.key },
    dnsNames: opts.names.dnsNames,
    ipAddresses: opts.names.ipAddresses,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + SERVING_VALIDITY_DAYS * DAY_MS, Date.parse(ca.cert.validTo))),
  });
  const newKeyPem = privateKeyPem(key);
  // Key first: a crash between the writes leaves a cert that no longer matches, reissued next start.
  await writeFileAtomic(keyFile, newKeyPem, { mode: 0o600 });
  await writeFileAtomic(certFile, pem, { mode: 0o644 });
  opts.log.info('issued the serving certificate', { file: certFile, dnsNames: opts.names.dnsNames, ipAddresses: opts.names.ipAddresses });
  return { cert: pem, key: newKeyPem, caBundle: ca.certPem, source };
}

/** Why the stored serving cert cannot be reused, or undefined when it can. */
export function reissueReason(certPem: string, keyPem: string, ca: { cert: X509Certificate }, opts: { names: ServingNames; clock: Clock }): string | undefined {
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
    key = createPrivateKey(keyPem);
  } catch (err) {
    return `unreadable: ${errorMessage(err)}`;
  }
  if (!cert.checkPrivateKey(key)) return 'the key does not match';
  if (!cert.checkIssued(ca.cert) || !cert.verify(ca.cert.publicKey)) return 'not signed by the current CA';
  if (Date.parse(cert.validTo) - opts.clock.now() < RENEW_BEFORE_DAYS * DAY_MS) return `expires soon (${cert.validTo})`;
  if (!sameNames(cert, opts.names)) return 'the names changed';
  return undefined;
}

function sameNames(cert: X509Certificate, want: ServingNames): boolean {
  const dns = certDnsNames(cert);
  const ips = certIpAddresses(cert);
  if (dns.length !== want.dnsNames.length || ips.length !== want.ipAddresses.length) return false;
  // checkIP compares addresses, not spellings (::1 vs 0:0:0:0:0:0:0:1).
  return want.dnsNames.every((d) => dns.includes(d)) && want.ipAddresses.every((ip) => cert.checkIP(ip) !== undefined);
}

async function readConfigFile(flag: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--${flag}: cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

export function parseCert(flag: string, file: string, pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--${flag}: ${file} holds no valid PEM certificate: ${errorMessage(err)}`, { cause: err });
  }
}

function parseKey(flag: string, file: string, pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--${flag}: ${file} holds no valid PEM private key: ${errorMessage(err)}`, { cause: err });
  }
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list.filter((s) => s !== ''))];
}
