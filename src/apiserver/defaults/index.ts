// Server-side defaulting, run on every create and on the result of every update and patch, as
// upstream decodes each request body through its defaulters. Besides SetDefaults_* this fills what
// upstream's REST strategies and admission put on a new object and a client would otherwise
// see missing: a Service's IP family fields, a Namespace's finalizer and phase, a Pod's status
// phase, and a Secret's stringData folded into data (upstream's v1 conversion). All rules only
// fill what is unset, so running them again is harmless.
import { asJson, ensureObject, objectAt, objectsAt, setDefault, stringAt } from '../../api/json.js';
import type { JsonObject, KubeObject } from '../../api/object.js';
import { defaultPod, defaultPodTemplate } from './pod.js';

export { defaultPullPolicy, qosClass } from './pod.js';

function defaultService(obj: JsonObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  const type = stringAt(spec, 'type');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const clientIP = objectAt(objectAt(spec, 'sessionAffinityConfig'), 'clientIP');
    if (clientIP?.['timeoutSeconds'] === undefined || clientIP['timeoutSeconds'] === null) {
      spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 10800 } };
    }
  }
  for (const port of objectsAt(spec, 'ports')) {
    setDefault(port, 'protocol', 'TCP');
    const target = port['targetPort'];
    if (target === undefined || target === null || target === 0 || target === '') port['targetPort'] = port['port'] ?? 0;
  }
  const externalIPs = spec['externalIPs'];
  const externallyAccessible = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && Array.isArray(externalIPs) && externalIPs.length > 0);
  if (externallyAccessible) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  if (type !== 'ExternalName') {
    // Set by the service REST storage on a single-stack IPv4 cluster; headless services
    // without a selector ask for every family the cluster has.
    const selector = objectAt(spec, 'selector');
    const selectorless = selector === undefined || Object.keys(selector).length === 0;
    setDefault(spec, 'ipFamilyPolicy', spec['clusterIP'] === 'None' && selectorless ? 'RequireDualStack' : 'SingleStack');
    setDefault(spec, 'ipFamilies', ['IPv4']);
    const clusterIP = stringAt(spec, 'clusterIP');
    if (clusterIP !== undefined && clusterIP !== '') setDefault(spec, 'clusterIPs', [clusterIP]);
  }
  const status = ensureObject(obj, 'status');
  setDefault(status, 'loadBalancer', {});
}

function defaultDeployment(obj: JsonObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(ensureObject(spec, 'template'));
}

function defaultReplicaSet(obj: JsonObject): void {
  const spec = ensureObject(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(ensureObject(spec, 'template'));
}

function defaultNamespace(obj: JsonObject): void {
  const meta = ensureObject(obj, 'metadata');
  const name = stringAt(meta, 'name');
  if (name !== undefined && name !== '') ensureObject(meta, 'labels')['kubernetes.io/metadata.name'] = name;
  setDefault(ensureObject(obj, 'spec'), 'finalizers', ['kubernetes']);
  setDefault(ensureObject(obj, 'status'), 'phase', 'Active');
}

function defaultSecret(obj: JsonObject): void {
  setDefault(obj, 'type', 'Opaque');
  const stringData = objectAt(obj, 'stringData');
  if (stringData !== undefined) {
    const data = ensureObject(obj, 'data');
    for (const [k, v] of Object.entries(stringData)) {
      if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
  }
  delete obj['stringData'];
}

function defaultNode(obj: JsonObject): void {
  const status = objectAt(obj, 'status');
  const capacity = objectAt(status, 'capacity');
  if (status !== undefined && capacity !== undefined) setDefault(status, 'allocatable', { ...capacity });
}

function defaultPortsProtocol(ports: JsonObject[]): void {
  for (const port of ports) setDefault(port, 'protocol', 'TCP');
}

const DEFAULTERS = new Map<string, (obj: JsonObject) => void>(Object.entries({
  pods: defaultPod,
  services: defaultService,
  deployments: defaultDeployment,
  replicasets: defaultReplicaSet,
  namespaces: defaultNamespace,
  secrets: defaultSecret,
  nodes: defaultNode,
  endpoints: (obj: JsonObject) => {
    for (const subset of objectsAt(obj, 'subsets')) defaultPortsProtocol(objectsAt(subset, 'ports'));
  },
  endpointslices: (obj: JsonObject) => {
    for (const port of objectsAt(obj, 'ports')) {
      setDefault(port, 'protocol', 'TCP');
      setDefault(port, 'name', '');
    }
  },
  podtemplates: (obj: JsonObject) => defaultPodTemplate(ensureObject(obj, 'template')),
}));

/** Fills upstream's defaults into `obj` (mutated) for the resource (plural name, e.g. 'pods'). */
export function applyDefaults(resource: string, obj: KubeObject): void {
  const defaulter = DEFAULTERS.get(resource);
  if (defaulter !== undefined) defaulter(asJson(obj));
}
