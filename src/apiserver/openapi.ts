// OpenAPI v3 discovery, the minimum kubectl needs: an index of group/versions, and per
// group/version the PATCH operations with their x-kubernetes-group-version-kind and the
// fieldValidation query parameter. kubectl checks exactly that to decide the server validates
// fields itself (fieldValidation=Strict) instead of validating client-side against schemas this
// server does not have. No component schemas are served (kubectl explain needs them).
import { createHash } from 'node:crypto';
import type { JsonObject } from '../api/object.js';
import { apiVersionOf, servedGroups, resourcesOf, type ResourceInfo } from './resources.js';
import { KUBE_MAJOR, KUBE_MINOR } from './discovery.js';

function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function hashOf(doc: JsonObject): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 32).toUpperCase();
}

export function openApiIndex(): JsonObject {
  const paths: JsonObject = {};
  for (const g of servedGroups()) {
    for (const v of g.versions) {
      const p = gvPath(g.group, v);
      const doc = openApiDocument(p);
      if (doc !== undefined) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(doc)}` };
    }
  }
  return { paths };
}

function patchOperation(r: ResourceInfo): JsonObject {
  return {
    operationId: `patch${r.kind}`,
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
    parameters: [
      { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
    ],
    responses: { '200': { description: 'OK' } },
  };
}

/** The document for "api/v1" or "apis/GROUP/VERSION"; undefined for other paths. */
export function openApiDocument(path: string): JsonObject | undefined {
  const m = /^(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (m === null) return undefined;
  const group = m[2] ?? '';
  const version = m[1] ?? m[3] ?? '';
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const paths: JsonObject = {};
  for (const r of resources) {
    const base = `/${gvPath(group, version)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    paths[base] = { patch: patchOperation(r) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: `v${KUBE_MAJOR}.${KUBE_MINOR}.0` },
    paths,
    components: { schemas: {} },
    'x-nodelet-group-version': apiVersionOf({ group, version }),
  };
}
