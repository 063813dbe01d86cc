// The resources this apiserver serves, as discovery documents them and as handlers look them up.
// One table is the single source for routing, discovery, keys, authorization attributes and
// per-kind behaviour flags.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface SubresourceInfo {
  name: 'status' | 'binding' | 'scale' | 'finalize';
  /** The group/version/kind of the body the subresource speaks (Scale is autoscaling/v1). */
  group: string;
  version: string;
  kind: string;
  verbs: readonly Verb[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: the URL segment. */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: readonly string[];
  verbs: readonly Verb[];
  subresources: readonly SubresourceInfo[];
  categories: readonly string[];
  /** DELETE answers with the object instead of a Status (upstream's ReturnDeletedObject). */
  returnDeletedObject: boolean;
}

const ALL_VERBS: readonly Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS: readonly Verb[] = ['get', 'patch', 'update'];

function sub(name: SubresourceInfo['name'], kind: string, group = '', version = 'v1'): SubresourceInfo {
  const verbs: readonly Verb[] = name === 'binding' ? ['create'] : name === 'finalize' ? ['update'] : STATUS_VERBS;
  return { name, group, version, kind, verbs };
}

function core(r: Omit<ResourceInfo, 'group' | 'version' | 'categories' | 'returnDeletedObject' | 'verbs'> & Partial<ResourceInfo>): ResourceInfo {
  return { group: '', version: 'v1', categories: [], returnDeletedObject: false, verbs: ALL_VERBS, ...r };
}

export const RESOURCES: readonly ResourceInfo[] = Object.freeze([
  core({
    resource: 'namespaces', kind: 'Namespace', singular: 'namespace', namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [sub('status', 'Namespace'), sub('finalize', 'Namespace')], returnDeletedObject: true,
  }),
  core({ resource: 'nodes', kind: 'Node', singular: 'node', namespaced: false, shortNames: ['no'], subresources: [sub('status', 'Node')] }),
  core({
    resource: 'pods', kind: 'Pod', singular: 'pod', namespaced: true, shortNames: ['po'], categories: ['all'],
    subresources: [sub('status', 'Pod'), sub('binding', 'Binding')], returnDeletedObject: true,
  }),
  core({
    resource: 'services', kind: 'Service', singular: 'service', namespaced: true, shortNames: ['svc'], categories: ['all'],
    subresources: [sub('status', 'Service')], returnDeletedObject: true,
  }),
  core({ resource: 'endpoints', kind: 'Endpoints', singular: 'endpoints', namespaced: true, shortNames: ['ep'], subresources: [] }),
  core({ resource: 'configmaps', kind: 'ConfigMap', singular: 'configmap', namespaced: true, shortNames: ['cm'], subresources: [] }),
  core({ resource: 'secrets', kind: 'Secret', singular: 'secret', namespaced: true, shortNames: [], subresources: [] }),
  core({
    resource: 'serviceaccounts', kind: 'ServiceAccount', singular: 'serviceaccount', namespaced: true, shortNames: ['sa'],
    subresources: [], returnDeletedObject: true,
  }),
  core({ resource: 'events', kind: 'Event', singular: 'event', namespaced: true, shortNames: ['ev'], subresources: [] }),
  {
    group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', singular: 'lease', namespaced: true,
    shortNames: [], verbs: ALL_VERBS, subresources: [], categories: [], returnDeletedObject: false,
  },
  {
    group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', singular: 'endpointslice',
    namespaced: true, shortNames: [], verbs: ALL_VERBS, subresources: [], categories: [], returnDeletedObject: false,
  },
  {
    group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', singular: 'deployment', namespaced: true,
    shortNames: ['deploy'], verbs: ALL_VERBS, categories: ['all'], returnDeletedObject: false,
    subresources: [sub('scale', 'Scale', 'autoscaling', 'v1'), sub('status', 'Deployment', 'apps')],
  },
  {
    group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', singular: 'replicaset', namespaced: true,
    shortNames: ['rs'], verbs: ALL_VERBS, categories: ['all'], returnDeletedObject: false,
    subresources: [sub('scale', 'Scale', 'autoscaling', 'v1'), sub('status', 'ReplicaSet', 'apps')],
  },
]);

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** "pods" or "deployments.apps": how upstream names a resource in messages (GroupResource.String). */
export function groupResource(r: { group: string; resource: string }): string {
  return r.group === '' ? r.resource : `${r.resource}.${r.group}`;
}

/** "Pod" or "Deployment.apps": how upstream names a kind in Invalid messages (GroupKind.String). */
export function groupKind(r: { group: string; kind: string }): string {
  return r.group === '' ? r.kind : `${r.kind}.${r.group}`;
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findResourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

export function findSubresource(r: ResourceInfo, name: string): SubresourceInfo | undefined {
  return r.subresources.find((s) => s.name === name);
}

export function hasStatusSubresource(r: ResourceInfo): boolean {
  return r.subresources.some((s) => s.name === 'status');
}

export interface GroupVersions {
  group: string;
  versions: string[];
}

/** The served groups in discovery order (core first), each with its versions. */
export function servedGroups(): GroupVersions[] {
  const out: GroupVersions[] = [];
  for (const r of RESOURCES) {
    const g = out.find((x) => x.group === r.group);
    if (g === undefined) out.push({ group: r.group, versions: [r.version] });
    else if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

export function resourcesOf(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}
