// What exists from the first start: the namespaces default, kube-system, kube-public and
// kube-node-lease, and the `kubernetes` Service (the first ClusterIP, port 443) with its Endpoints
// and EndpointSlice pointing at this apiserver, as upstream's bootstrap controller and endpoint
// reconciler keep them. Idempotent: existing objects are reconciled, not recreated. With several
// apiservers each writes its own address (the last start wins; there is no lease reconciler).
import { isNodeletError, ErrorCode, errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { asJson, jsonEqual } from '../api/json.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../api/object.js';
import type { Registry } from './registry/registry.js';
import { findResource, type ResourceInfo } from './resources.js';
import { ApiError } from './status.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export interface BootstrapDeps {
  registry: Registry;
  log: Logger;
  kubernetesServiceIP: string;
  advertiseAddress: string;
  securePort: number;
}

function resource(name: string, group = '', version = 'v1'): ResourceInfo {
  const r = findResource(group, version, name);
  if (r === undefined) throw new Error(`bootstrap: ${name} is not served`);
  return r;
}

export async function bootstrap(deps: BootstrapDeps): Promise<void> {
  const namespaces = resource('namespaces');
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(deps, namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, () => undefined);
  }
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: deps.kubernetesServiceIP,
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: deps.securePort }],
      sessionAffinity: 'None',
    },
  };
  const wantPorts = (service.spec as JsonObject).ports ?? [];
  // Only the ports are reconciled: the ClusterIP stays what it was allocated as.
  await ensure(deps, resource('services'), service, (cur) => {
    const spec = isJsonObject(cur.spec) ? cur.spec : {};
    return jsonEqual(spec.ports, wantPorts) ? undefined : { ...cur, spec: { ...spec, ports: wantPorts } };
  });

  const ports = [{ name: 'https', port: deps.securePort, protocol: 'TCP' }];
  const subsets = [{ addresses: [{ ip: deps.advertiseAddress }], ports }];
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets,
  };
  await ensure(deps, resource('endpoints'), endpoints, (cur) => (jsonEqual(asJson(cur).subsets, subsets) ? undefined : { ...cur, subsets }));

  const sliceEndpoints = [{ addresses: [deps.advertiseAddress], conditions: { ready: true } }];
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: deps.advertiseAddress.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: sliceEndpoints,
    ports,
  };
  await ensure(deps, resource('endpointslices', 'discovery.k8s.io'), slice, (cur) =>
    jsonEqual(asJson(cur).endpoints, sliceEndpoints) && jsonEqual(asJson(cur).ports, ports) ? undefined : { ...cur, endpoints: sliceEndpoints, ports },
  );
}

/** Creates `want` when missing; `reconcile` returns the corrected object when the stored one drifted. */
async function ensure(
  deps: BootstrapDeps,
  r: ResourceInfo,
  want: KubeObject,
  reconcile: (current: KubeObject) => KubeObject | undefined,
): Promise<void> {
  const namespace = want.metadata.namespace ?? '';
  const name = want.metadata.name ?? '';
  try {
    const current = await deps.registry.objects.get(r, namespace, name);
    if (current === undefined) {
      await deps.registry.create(r, namespace, want, { dryRun: false });
      deps.log.info('created', { resource: r.resource, namespace, name });
      return;
    }
    if (reconcile(current) === undefined) return;
    await deps.registry.update(r, namespace, name, {
      target: '',
      dryRun: false,
      compute: (cur) => {
        const next = structuredClone(reconcile(cur) ?? cur);
        delete next.metadata.resourceVersion;
        return next;
      },
    });
    deps.log.info('reconciled', { resource: r.resource, namespace, name });
  } catch (err) {
    if (isNodeletError(err, ErrorCode.AlreadyExists) || (err instanceof ApiError && err.code === 409)) return;
    throw new Error(`bootstrap of ${r.resource} ${namespace}/${name} failed: ${errorMessage(err)}`, { cause: err });
  }
}
