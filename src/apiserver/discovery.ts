// Legacy discovery documents (/api, /api/v1, /apis, /apis/G, /apis/G/V) and /version, shaped
// as upstream's. Aggregated discovery is not served; clients offering plain JSON fall back to
// these (kubectl does).
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../api/object.js';
import { apiVersionOf, resourcesOf, servedGroups, type ResourceInfo } from './resources.js';

/** The Kubernetes minor this server's API follows. */
export const KUBE_MAJOR = '1';
export const KUBE_MINOR = '33';

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupVersionEntry(group: string, version: string): JsonObject {
  return { groupVersion: apiVersionOf({ group, version }), version };
}

function apiGroup(group: string, versions: string[]): JsonObject {
  const entries = versions.map((v) => groupVersionEntry(group, v));
  return { name: group, versions: entries, preferredVersion: entries[0] ?? {} };
}

export function apiGroupList(): JsonObject {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: servedGroups().filter((g) => g.group !== '').map((g) => apiGroup(g.group, g.versions)),
  };
}

/** Undefined for groups this server does not serve. */
export function apiGroupDoc(group: string): JsonObject | undefined {
  const g = servedGroups().find((x) => x.group === group && group !== '');
  return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.group, g.versions) };
}

function resourceEntries(r: ResourceInfo): JsonObject[] {
  const main: JsonObject = {
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length > 0) main.shortNames = [...r.shortNames];
  if (r.categories.length > 0) main.categories = [...r.categories];
  const subs = r.subresources.map((s) => {
    const e: JsonObject = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
    // Only a subresource of another group/version names it (Scale is autoscaling/v1).
    if (s.group !== r.group || s.version !== r.version) {
      e.group = s.group;
      e.version = s.version;
    }
    e.kind = s.kind;
    e.verbs = [...s.verbs];
    return e;
  });
  return [main, ...subs];
}

/** Undefined for group/versions this server does not serve. */
export function apiResourceList(group: string, version: string): JsonObject | undefined {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: resources.flatMap(resourceEntries),
  };
}

function packageVersion(): string {
  try {
    const raw: unknown = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string') return raw.version;
  } catch {
    // Not run from the package layout (e.g. bundled): the version is only informative.
  }
  return '0.0.0';
}

let cachedVersion: JsonObject | undefined;

export function versionInfo(): JsonObject {
  cachedVersion ??= {
    major: KUBE_MAJOR,
    minor: KUBE_MINOR,
    gitVersion: `v${KUBE_MAJOR}.${KUBE_MINOR}.0-nodelet.${packageVersion()}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
  return cachedVersion;
}
