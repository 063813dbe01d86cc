// X.509 certificates for the apiserver's own PKI: ECDSA P-256 keys from node:crypto, the
// certificate structure from @peculiar/asn1-x509 (DER schema only, no global crypto provider),
// signed with node:crypto. Parsing and verification use node:crypto's X509Certificate.
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
} from '@peculiar/asn1-x509';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';

const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

export type CertUsage = 'ca' | 'server' | 'client';

export interface CertSpec {
  commonName: string;
  organizations?: readonly string[];
  usage: CertUsage;
  /** The key the certificate is for (public, or a private key whose public half is used). */
  key: KeyObject;
  /** Signed by this CA; self-signed with `key` when absent. */
  issuer?: { cert: X509Certificate; key: KeyObject };
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  notBefore: Date;
  notAfter: Date;
}

/** A new ECDSA P-256 private key. */
export function generatePrivateKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Builds and signs a certificate; returns it as PEM. */
export function createCertificate(spec: CertSpec): string {
  const publicKey = spec.key.type === 'private' ? createPublicKey(spec.key) : spec.key;
  const spki = AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const subjectKeyId = keyIdentifier(spki);
  const subject = buildName(spec.commonName, spec.organizations ?? []);
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: OID_ECDSA_WITH_SHA256 });

  let issuerName = subject;
  let authorityKeyId = subjectKeyId;
  let signingKey = spec.key;
  if (spec.issuer !== undefined) {
    const issuerTbs = AsnConvert.parse(spec.issuer.cert.raw, Certificate).tbsCertificate;
    // The issuer field must repeat the CA's subject byte for byte, so it is copied, not rebuilt.
    issuerName = issuerTbs.subject;
    authorityKeyId = keyIdentifier(issuerTbs.subjectPublicKeyInfo);
    signingKey = spec.issuer.key;
  }
  if (signingKey.type !== 'private') throw new TypeError('a certificate must be signed with a private key');

  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serialNumber(),
    signature: signatureAlgorithm,
    issuer: issuerName,
    validity: new Validity({ notBefore: spec.notBefore, notAfter: spec.notAfter }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensionsFor(spec, subjectKeyId, authorityKeyId)),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign('sha256', tbsDer, signingKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm, signatureValue: toArrayBuffer(signature) });
  return toPem(Buffer.from(AsnConvert.serialize(cert)));
}

function extensionsFor(spec: CertSpec, subjectKeyId: Uint8Array, authorityKeyId: Uint8Array): Extension[] {
  const ext = (extnID: string, critical: boolean, value: unknown): Extension =>
    new Extension({ extnID, critical, extnValue: new KeyIdentifier(AsnConvert.serialize(value)) });
  const isCA = spec.usage === 'ca';
  const usageFlags = isCA
    ? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign | KeyUsageFlags.digitalSignature
    : KeyUsageFlags.digitalSignature;
  const list = [
    ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: isCA })),
    ext(id_ce_keyUsage, true, new KeyUsage(usageFlags)),
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(subjectKeyId)),
  ];
  if (!isCA) {
    list.push(ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage([spec.usage === 'server' ? id_kp_serverAuth : id_kp_clientAuth])));
    list.push(ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(authorityKeyId) })));
  }
  const names = [
    ...(spec.dnsNames ?? []).map((dNSName) => new GeneralName({ dNSName })),
    ...(spec.ipAddresses ?? []).map((iPAddress) => new GeneralName({ iPAddress })),
  ];
  if (names.length > 0) list.push(ext(id_ce_subjectAltName, false, new SubjectAlternativeName(names)));
  return list;
}

function buildName(commonName: string, organizations: readonly string[]): Name {
  const rdn = (type: string, value: string): RelativeDistinguishedName =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })]);
  // Order as x509 names usually go: O before CN.
  return new Name([...organizations.map((o) => rdn(OID_ORGANIZATION, o)), rdn(OID_COMMON_NAME, commonName)]);
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: SubjectPublicKeyInfo): Uint8Array {
  return createHash('sha1').update(Buffer.from(spki.subjectPublicKey)).digest();
}

/** 128 random bits, positive (top bit clear) so DER needs no leading zero byte. */
function serialNumber(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return toArrayBuffer(bytes);
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(buf.length);
  new Uint8Array(out).set(buf);
  return out;
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The IP addresses of a certificate's subjectAltName, as X509Certificate prints them. */
export function certIpAddresses(cert: X509Certificate): string[] {
  return sanEntries(cert, 'IP Address:');
}

export function certDnsNames(cert: X509Certificate): string[] {
  return sanEntries(cert, 'DNS:');
}

function sanEntries(cert: X509Certificate, prefix: string): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((e) => e.startsWith(prefix))
    .map((e) => e.slice(prefix.length));
}
