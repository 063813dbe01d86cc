// Bearer-token authentication against the static token file.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TokenEntry } from './token-file.js';
import type { Authenticator, UserInfo } from './types.js';

interface Known {
  digest: Buffer;
  user: UserInfo;
}

/**
 * Tokens are indexed by their SHA-256, so a lookup costs the same whatever the token and never
 * compares secret bytes with an early exit; the final check is timingSafeEqual on the digests.
 */
export class TokenAuthenticator implements Authenticator {
  private readonly byDigest = new Map<string, Known>();

  constructor(entries: readonly TokenEntry[]) {
    for (const e of entries) {
      const digest = sha256(e.token);
      this.byDigest.set(digest.toString('hex'), { digest, user: Object.freeze({ ...e.user, groups: [...e.user.groups] }) });
    }
  }

  get size(): number {
    return this.byDigest.size;
  }

  authenticate(req: IncomingMessage): UserInfo | undefined {
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return undefined;
    const digest = sha256(token);
    const known = this.byDigest.get(digest.toString('hex'));
    if (known === undefined || !timingSafeEqual(known.digest, digest)) return undefined;
    return { name: known.user.name, uid: known.user.uid, groups: [...known.user.groups] };
  }
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), as upstream reads it. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
