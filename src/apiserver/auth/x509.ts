// x509 client-certificate authentication (upstream's --client-ca-file): a certificate the TLS
// layer verified against the client CA names the user in its CN and the groups in its O fields.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { NodeletError, ErrorCode, errorMessage } from '../../base/errors.js';
import type { Authenticator, UserInfo } from './types.js';

/**
 * Relies on the https server having `ca` = the client CA and `requestCert: true` (with
 * `rejectUnauthorized: false`, so token clients without a certificate still connect): OpenSSL
 * then checks the chain and the clientAuth purpose, and `socket.authorized` reports the result.
 */
export class ClientCertAuthenticator implements Authenticator {
  authenticate(req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket;
    if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
    const cert = socket.getPeerCertificate();
    return userFromSubject(cert.subject as unknown);
  }
}

/** CN -> user name, O -> groups; undefined without a CN. Multi-valued fields arrive as arrays. */
export function userFromSubject(subject: unknown): UserInfo | undefined {
  if (typeof subject !== 'object' || subject === null) return undefined;
  const fields = subject as Record<string, unknown>;
  const values = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const name = values(fields['CN'])[0];
  if (name === undefined || name === '') return undefined;
  return { name, uid: '', groups: values(fields['O']) };
}

/** Reads the client CA bundle (PEM); InvalidConfig naming the flag when unusable. */
export async function loadClientCA(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `--client-ca-file: cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new NodeletError(ErrorCode.InvalidConfig, `--client-ca-file: ${file} holds no PEM certificate`);
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new NodeletError(ErrorCode.InvalidConfig, `--client-ca-file: ${file} holds an invalid certificate: ${errorMessage(err)}`, { cause: err });
    }
  }
  return pem;
}
