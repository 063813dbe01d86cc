// Strategic-merge-patch metadata of the built-in kinds: which lists merge and by which key, as
// the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api declare them. A list not named
// here is atomic (the patch replaces it); a map not named here merges key by key. Only fields
// that need metadata (merging lists, and the objects leading to them) are listed.

export interface FieldMeta {
  /** The list merges: by `mergeKey` for lists of objects, as a set for lists of scalars. */
  merge?: boolean;
  mergeKey?: string;
  /** Schema of the nested object, or of each element of a list. */
  type?: TypeMeta;
}

export type TypeMeta = Readonly<Record<string, FieldMeta>>;

const byKey = (mergeKey: string, type?: TypeMeta): FieldMeta => (type ? { merge: true, mergeKey, type } : { merge: true, mergeKey });
const nested = (type: TypeMeta): FieldMeta => ({ type });
const SET: FieldMeta = { merge: true };

const objectMeta: TypeMeta = {
  finalizers: SET,
  ownerReferences: byKey('uid'),
};

const container: TypeMeta = {
  ports: byKey('containerPort'),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
};

const podSpec: TypeMeta = {
  volumes: byKey('name'),
  initContainers: byKey('name', container),
  containers: byKey('name', container),
  ephemeralContainers: byKey('name', container),
  imagePullSecrets: byKey('name'),
  hostAliases: byKey('ip'),
  topologySpreadConstraints: byKey('topologyKey'),
  schedulingGates: byKey('name'),
  resourceClaims: byKey('name'),
};

const conditions = byKey('type');

const podStatus: TypeMeta = {
  conditions,
  podIPs: byKey('ip'),
  hostIPs: byKey('ip'),
  resourceClaimStatuses: byKey('name'),
};

const podTemplateSpec: TypeMeta = { metadata: nested(objectMeta), spec: nested(podSpec) };

const withConditions: TypeMeta = { conditions };

export const KIND_SCHEMAS: Readonly<Record<string, TypeMeta>> = {
  Pod: { metadata: nested(objectMeta), spec: nested(podSpec), status: nested(podStatus) },
  PodTemplate: { metadata: nested(objectMeta), template: nested(podTemplateSpec) },
  Deployment: {
    metadata: nested(objectMeta),
    spec: nested({ template: nested(podTemplateSpec) }),
    status: nested(withConditions),
  },
  ReplicaSet: {
    metadata: nested(objectMeta),
    spec: nested({ template: nested(podTemplateSpec) }),
    status: nested(withConditions),
  },
  Service: {
    metadata: nested(objectMeta),
    spec: nested({ ports: byKey('port') }),
    status: nested(withConditions),
  },
  Node: {
    metadata: nested(objectMeta),
    spec: nested({ podCIDRs: SET }),
    status: nested({ conditions, addresses: byKey('type') }),
  },
  Namespace: { metadata: nested(objectMeta), status: nested(withConditions) },
  ConfigMap: { metadata: nested(objectMeta) },
  Secret: { metadata: nested(objectMeta) },
  ServiceAccount: { metadata: nested(objectMeta), secrets: byKey('name') },
  Endpoints: { metadata: nested(objectMeta) },
  EndpointSlice: { metadata: nested(objectMeta) },
  Lease: { metadata: nested(objectMeta) },
  Event: { metadata: nested(objectMeta) },
  Scale: { metadata: nested(objectMeta) },
};

/** The schema of a kind, or undefined when strategic merge patch does not apply to it. */
export function schemaForKind(kind: string): TypeMeta | undefined {
  return Object.hasOwn(KIND_SCHEMAS, kind) ? KIND_SCHEMAS[kind] : undefined;
}
