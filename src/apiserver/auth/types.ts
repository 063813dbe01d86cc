// Authentication and authorization seams of the apiserver. The request handler asks the
// Authenticator who is calling and the Authorizer whether they may; later issues add node
// restriction and RBAC-like rules behind the same Authorizer.
import type { IncomingMessage } from 'node:http';

export interface UserInfo {
  name: string;
  uid: string;
  groups: string[];
}

export interface Authenticator {
  /** Who made the request; undefined when no credential was presented or it is not valid. */
  authenticate(req: IncomingMessage): UserInfo | undefined;
}

export interface RequestAttributes {
  user: UserInfo;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

export interface Authorizer {
  /** Undefined to allow; a reason to deny (sent as the 403 message). */
  authorize(attrs: RequestAttributes): string | undefined;
}

/** Admin-only cluster: every authenticated user may do everything (the seam for later rules). */
export const allowAuthenticated: Authorizer = { authorize: () => undefined };
