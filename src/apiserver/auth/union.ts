// Several ways to authenticate, tried in order; the first that recognizes the caller wins.
import type { IncomingMessage } from 'node:http';
import type { Authenticator, UserInfo } from './types.js';

export function unionAuthenticator(authenticators: readonly Authenticator[]): Authenticator {
  const list = [...authenticators];
  return {
    authenticate(req: IncomingMessage): UserInfo | undefined {
      for (const a of list) {
        const user = a.authenticate(req);
        if (user !== undefined) return user;
      }
      return undefined;
    },
  };
}
