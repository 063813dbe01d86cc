// List continue tokens: opaque to clients, as upstream's (base64url of JSON with the list's
// revision and where the next page starts). Keys inside are relative to the resource prefix so a
// token cannot point a list at another resource's keys.
import { badRequest } from './status.js';

const TOKEN_VERSION = 'meta.k8s.io/v1';

export interface ContinueState {
  /** The revision the whole list is read at; 0 asks for the latest (an inconsistent continuation). */
  revision: number;
  /** The last key returned, relative to the resource prefix; the next page starts after it. */
  lastKey: string;
}

export function encodeContinue(state: ContinueState): string {
  const json = JSON.stringify({ v: TOKEN_VERSION, rv: state.revision, start: state.lastKey });
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** Throws a 400 BadRequest naming the problem for tokens this server did not make. */
export function decodeContinue(token: string): ContinueState {
  let parsed: unknown;
  try {
    const text = Buffer.from(token, 'base64url').toString('utf8');
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('invalid continue token: not a token this server issued');
  }
  if (typeof parsed !== 'object' || parsed === null) throw badRequest('invalid continue token: not an object');
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== TOKEN_VERSION) throw badRequest(`invalid continue token: unknown version ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv < 0) throw badRequest('invalid continue token: bad resource version');
  if (typeof start !== 'string' || start === '' || start.startsWith('/') || start.split('/').some((p) => p === '..' || p === '')) {
    throw badRequest('invalid continue token: bad start key');
  }
  return { revision: rv, lastKey: start };
}
