// Routing of one authenticated request: non-resource paths (discovery, version, OpenAPI, health)
// and resource requests to the verb handlers, with the checks upstream makes before a handler
// runs (resource and subresource exist, the verb is supported, scope matches, authorization).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo, Authorizer } from './auth/types.js';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import type { HandlerDeps, RequestContext } from './handlers/context.js';
import { handleCreate } from './handlers/create.js';
import { handleDelete, handleDeleteCollection } from './handlers/delete.js';
import { handlePatch } from './handlers/patch.js';
import { handleGet, handleList } from './handlers/read.js';
import { handleScaleGet } from './handlers/scale.js';
import { handleUpdate } from './handlers/update.js';
import { handleWatch } from './handlers/watch.js';
import { openApiDocument, openApiIndex } from './openapi.js';
import { serveOpenApiV2 } from './openapi-v2.js';
import type { ResourceRequestInfo } from './request-info.js';
import { findResource, findSubresource, type ResourceInfo, type Verb } from './resources.js';
import { writeJson, writeText } from './respond.js';
import { ApiError, forbidden, methodNotSupported, pathNotFound } from './status.js';

/** Paths anyone may read, as upstream's system:public-info-viewer and health checks. */
export function isPublicPath(path: string): boolean {
  return path === '/version' || /^\/(healthz|livez|readyz)(\/.*)?$/.test(path);
}

export interface NonResourceDeps {
  serverAddress: string;
  /** Health of the store and the server, for /readyz. */
  ready(): boolean;
}

/** Answers non-resource paths; false when the path is not one. */
export function serveNonResource(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, deps: NonResourceDeps): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (isKnownNonResource(path)) {
      writeJson(res, 405, new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource').status);
      return true;
    }
    return false;
  }
  const health = /^\/(healthz|livez|readyz)(\/.*)?$/.exec(path);
  if (health !== null) {
    const ok = health[1] !== 'readyz' || deps.ready();
    const verbose = query.has('verbose');
    const text = verbose ? `[${ok ? '+' : '-'}]ping ok\n${health[1] ?? ''} check ${ok ? 'passed' : 'failed'}\n` : ok ? 'ok' : 'not ready';
    writeText(res, ok ? 200 : 500, text);
    return true;
  }
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (trimmed === '/openapi/v2') {
    serveOpenApiV2(req, res);
    return true;
  }
  let body: unknown;
  if (trimmed === '/version') body = versionInfo();
  else if (trimmed === '/api') body = apiVersions(deps.serverAddress);
  else if (trimmed === '/apis') body = apiGroupList();
  else if (trimmed === '/openapi/v3') body = openApiIndex();
  else {
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(trimmed);
    const core = /^\/api\/([^/]+)$/.exec(trimmed);
    const oapi = /^\/openapi\/v3\/(api\/v1|apis\/[^/]+\/[^/]+)$/.exec(trimmed);
    if (core !== null) body = apiResourceList('', core[1] ?? '');
    else if (m !== null) body = m[2] === undefined ? apiGroupDoc(m[1] ?? '') : apiResourceList(m[1] ?? '', m[2]);
    else if (oapi !== null) body = openApiDocument(oapi[1] ?? '');
  }
  if (body === undefined) return false;
  writeJson(res, 200, body);
  return true;
}

function isKnownNonResource(path: string): boolean {
  return isPublicPath(path) || path === '/api' || path === '/apis' || path.startsWith('/openapi');
}

/** Resolves the resource a request addresses; 404/405 as upstream when there is none. */
export function resolveResource(info: ResourceRequestInfo): { resource: ResourceInfo; subresource: ResourceInfo['subresources'][number] | undefined } {
  const resource = findResource(info.group, info.version, info.resource);
  if (resource === undefined) throw pathNotFound();
  let subresource;
  if (info.subresource !== '') {
    subresource = findSubresource(resource, info.subresource);
    if (subresource === undefined || info.name === '') throw pathNotFound();
    const verb: Verb = info.verb === 'watch' || info.verb === 'list' ? 'get' : info.verb;
    if (!subresource.verbs.includes(verb)) throw methodNotSupported({ group: resource.group, resource: `${resource.resource}/${subresource.name}` }, info.verb);
  } else if (!resource.verbs.includes(info.verb)) {
    throw methodNotSupported(resource, info.verb);
  }
  // Scope: cluster-scoped kinds have no namespace path; namespaced kinds are written per namespace.
  if (!resource.namespaced && info.namespace !== '') throw pathNotFound();
  if (resource.namespaced && info.namespace === '') {
    if (info.name !== '') throw pathNotFound();
    if (info.verb === 'create' || info.verb === 'deletecollection') {
      throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    }
  }
  return { resource, subresource };
}

export function authorize(authorizer: Authorizer, user: UserInfo, info: ResourceRequestInfo, r: ResourceInfo): void {
  const namespace = r.resource === 'namespaces' ? info.name : info.namespace;
  const reason = authorizer.authorize({
    user,
    verb: info.verb,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource,
    namespace,
    name: info.name,
  });
  if (reason === undefined) return;
  const scope = namespace === '' ? 'at the cluster scope' : `in the namespace "${namespace}"`;
  const what = info.subresource === '' ? info.resource : `${info.resource}/${info.subresource}`;
  const why = `User "${user.name}" cannot ${info.verb} resource "${what}" in API group "${info.group}" ${scope}${reason === '' ? '' : `: ${reason}`}`;
  throw forbidden({ group: r.group, resource: r.resource }, info.name, why);
}

export function dispatch(ctx: RequestContext, deps: HandlerDeps): Promise<void> {
  const sub = ctx.subresource?.name;
  switch (ctx.info.verb) {
    case 'get':
      return sub === 'scale' ? handleScaleGet(ctx, deps) : handleGet(ctx, deps);
    case 'list':
      return handleList(ctx, deps);
    case 'watch':
      return handleWatch(ctx, deps);
    case 'create':
      return handleCreate(ctx, deps);
    case 'update':
      return handleUpdate(ctx, deps);
    case 'patch':
      return handlePatch(ctx, deps);
    case 'delete':
      return handleDelete(ctx, deps);
    case 'deletecollection':
      return handleDeleteCollection(ctx, deps);
  }
}

