// Parsing a request path into what it addresses, as upstream's RequestInfoFactory does:
// /api/v1[/watch][/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]] and the same under /apis/GROUP/VERSION.
// Pure: no lookups; the router decides whether the resource exists.

export type ApiVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequestInfo {
  isResource: true;
  verb: ApiVerb;
  group: string;
  version: string;
  /** From /namespaces/NS/...; '' for cluster-wide requests and for the namespace objects themselves. */
  namespace: string;
  resource: string;
  name: string;
  subresource: string;
  /** Addressed through the deprecated /watch/ path prefix. */
  legacyWatch: boolean;
}

export interface NonResourceRequestInfo {
  isResource: false;
  path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/** Namespace subresources: /api/v1/namespaces/NAME/status is the namespace's, not a resource "status". */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

/** Undefined when the method is not one the API serves (405). */
export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo | undefined {
  const parts = splitPath(pathname);
  if (parts === undefined) return { isResource: false, path: pathname };
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    rest = parts.slice(3);
  } else {
    return { isResource: false, path: pathname };
  }

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 2) {
    const third = rest[2];
    if (third !== undefined && !NAMESPACE_SUBRESOURCES.has(third)) {
      namespace = rest[1] ?? '';
      rest = rest.slice(2);
    }
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  if (resource === '' || rest.length > 3) return { isResource: false, path: pathname };

  const verb = verbFor(method, name !== '', legacyWatch || isTrue(query.get('watch')));
  if (verb === undefined) return undefined;
  return { isResource: true, verb, group, version, namespace, resource, name, subresource, legacyWatch };
}

function verbFor(method: string, named: boolean, watch: boolean): ApiVerb | undefined {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** Path segments, URL-decoded; undefined for paths with empty or undecodable segments. */
function splitPath(pathname: string): string[] | undefined {
  const trimmed = pathname.replace(/^\/+/, '').replace(/\/+$/, '');
  if (trimmed === '') return undefined;
  const out: string[] = [];
  for (const raw of trimmed.split('/')) {
    if (raw === '') return undefined;
    try {
      out.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Query booleans as upstream parses them (strconv.ParseBool): 1, t, true, TRUE, True. */
export function isTrue(value: string | null): boolean {
  return value !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}
