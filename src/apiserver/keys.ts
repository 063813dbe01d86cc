// Where objects live in the Store: /registry/<resource>/<namespace>/<name> for namespaced kinds,
// /registry/<resource>/<name> for cluster-scoped ones (the layout upstream uses in etcd).
import { RESOURCES, type ResourceInfo } from './resources.js';

export const REGISTRY_PREFIX = '/registry/';

export function resourcePrefix(r: ResourceInfo): string {
  return `${REGISTRY_PREFIX}${r.resource}/`;
}

export function objectKey(r: ResourceInfo, namespace: string, name: string): string {
  return r.namespaced ? `${resourcePrefix(r)}${namespace}/${name}` : `${resourcePrefix(r)}${name}`;
}

/** The prefix a list or watch reads: one namespace, or all of them with namespace ''. */
export function listPrefix(r: ResourceInfo, namespace: string): string {
  return r.namespaced && namespace !== '' ? `${resourcePrefix(r)}${namespace}/` : resourcePrefix(r);
}

export interface ParsedKey {
  resource: ResourceInfo;
  namespace: string;
  name: string;
}

/** The resource, namespace and name a registry key stands for; undefined for foreign keys. */
export function parseKey(key: string): ParsedKey | undefined {
  if (!key.startsWith(REGISTRY_PREFIX)) return undefined;
  const parts = key.slice(REGISTRY_PREFIX.length).split('/');
  const resource = RESOURCES.find((r) => r.resource === parts[0]);
  if (resource === undefined) return undefined;
  if (resource.namespaced) {
    if (parts.length !== 3 || parts[1] === '' || parts[2] === '') return undefined;
    return { resource, namespace: parts[1] ?? '', name: parts[2] ?? '' };
  }
  if (parts.length !== 2 || parts[1] === '') return undefined;
  return { resource, namespace: '', name: parts[1] ?? '' };
}
