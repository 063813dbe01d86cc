// The EndpointSlice controller (upstream pkg/controller/endpointslice): keeps the slices of every
// Service with a selector equal to what its pods say, through the API like kube-controller-manager.
// Informers on services, pods and our own slices (label managed-by) only enqueue service keys;
// one work queue syncs a service at a time: plan (slice-plan.ts, pure), then creates, updates,
// deletes. What we wrote is remembered until the slice informer shows it, and a service whose
// slices the cache does not yet show is not planned again (the informer event requeues it), so a
// stale cache never makes us create a second slice for the same endpoints.
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { Informer } from '../../../api/client/informer.js';
import type { JsonObject, KubeObject } from '../../../api/object.js';
import { WorkQueue } from '../work-queue.js';
import { parseSlice, type Endpoint, type EndpointPort, type Service, type Slice } from './model.js';
import { ServicePodIndex } from './service-index.js';
import { CONTROLLER_NAME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MAX_ENDPOINTS_PER_SLICE, planSlices, type PlannedSlice } from './slice-plan.js';
import type { ControllerDeps } from '../deps.js';

export interface EndpointSliceControllerOptions {
  /** Upstream's --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
}

type CachedSlice = Slice & { raw: KubeObject };

/** A write whose result the cache must show before the service is planned again. */
interface Expectation {
  resourceVersion: string | 'deleted';
  at: number;
}

/** Expectations older than this are dropped (a lost event must not stall a service forever). */
const EXPECTATION_TTL_MS = 30_000;

export class EndpointSliceController implements Disposable {
  private readonly index: ServicePodIndex;
  private readonly slices: Informer<CachedSlice>;
  private readonly queue: WorkQueue;
  /** Service key -> slice name -> expected state. */
  private readonly expectations = new Map<string, Map<string, Expectation>>();
  private readonly max: number;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly deps: ControllerDeps,
    opts: EndpointSliceControllerOptions = {},
  ) {
    this.max = opts.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'endpointslice controller' }, (key) => this.sync(key));
    const enqueue = (key: string): void => this.queue.add(key);
    this.index = new ServicePodIndex({ ...deps, name: 'endpointslice controller' }, enqueue);
    this.slices = new Informer<CachedSlice>(deps, {
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      labelSelector: `${LABEL_MANAGED_BY}=${CONTROLLER_NAME}`,
      parse: (obj) => ({ ...parseSlice(obj), raw: obj }),
      onError: (err) => deps.log.warn('endpointslice controller: slice watch failed', { error: errorMessage(err) }),
    });
    this.slices.addHandlers({
      upsert: (_key, s) => this.observed(s, false),
      deleted: (_key, s) => this.observed(s, true),
    });
  }

  start(): void {
    this.starting ??= (async () => {
      this.index.start();
      this.slices.start();
      await Promise.all([this.index.waitForSync(), this.slices.waitForSync()]);
      this.queue.start();
    })();
  }

  /** Resolves when nothing is queued (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    await this.queue.dispose();
    await Promise.all([this.index.dispose(), this.slices.dispose()]);
    await this.starting;
  }

  private serviceKeyOf(s: Slice): string | undefined {
    const name = s.labels[LABEL_SERVICE_NAME];
    return name === undefined || name === '' ? undefined : `${s.namespace}/${name}`;
  }

  private observed(s: Slice, deleted: boolean): void {
    const key = this.serviceKeyOf(s);
    if (key === undefined) return;
    const exp = this.expectations.get(key);
    const e = exp?.get(s.name);
    if (exp !== undefined && e !== undefined && (deleted || (e.resourceVersion !== 'deleted' && versionAtLeast(s.resourceVersion, e.resourceVersion)))) {
      exp.delete(s.name);
      if (exp.size === 0) this.expectations.delete(key);
    }
    this.queue.add(key);
  }

  private expect(key: string, name: string, resourceVersion: string): void {
    let exp = this.expectations.get(key);
    if (exp === undefined) this.expectations.set(key, (exp = new Map()));
    exp.set(name, { resourceVersion, at: this.deps.clock.now() });
  }

  /** True while a write of ours is not yet in the cache. */
  private stale(key: string): boolean {
    const exp = this.expectations.get(key);
    if (exp === undefined) return false;
    const now = this.deps.clock.now();
    for (const [name, e] of exp) if (now - e.at > EXPECTATION_TTL_MS) exp.delete(name);
    if (exp.size === 0) this.expectations.delete(key);
    return exp.size > 0;
  }

  private slicesOf(key: string): CachedSlice[] {
    return this.slices.list().filter((s) => this.serviceKeyOf(s) === key);
  }

  private async sync(key: string): Promise<void> {
    if (this.stale(key)) return;
    const service = this.index.service(key);
    const existing = this.slicesOf(key);
    if (service === undefined) {
      // The garbage collector would remove them through their owner reference; we are quicker.
      for (const s of existing) await this.deleteSlice(key, s);
      return;
    }
    // ExternalName services get no endpoints; services without a selector are someone else's.
    if (service.type === 'ExternalName' || service.selector === undefined) return;
    const plan = planSlices(service, this.index.podsOf(service), existing, this.max);
    for (const c of plan.create) await this.createSlice(key, service, c);
    const byName = new Map(existing.map((s) => [s.name, s]));
    for (const u of plan.update) {
      const current = u.name === undefined ? undefined : byName.get(u.name);
      if (current !== undefined) await this.updateSlice(key, current, u);
    }
    for (const d of plan.delete) await this.deleteSlice(key, d);
  }

  private async createSlice(key: string, service: Service, p: PlannedSlice): Promise<void> {
    const body: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${service.name}-`,
        namespace: service.namespace,
        labels: p.labels,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service.name, uid: service.uid, controller: true, blockOwnerDeletion: true }],
      },
      addressType: p.addressType,
      endpoints: p.endpoints.map(endpointJson),
      ports: p.ports.map(portJson),
    };
    try {
      const created = await this.deps.client.create(`/apis/discovery.k8s.io/v1/namespaces/${service.namespace}/endpointslices`, body);
      this.expect(key, created.metadata.name ?? '', created.metadata.resourceVersion ?? '');
    } catch (err) {
      // A namespace being deleted refuses new content; its services go with it.
      if (isNodeletError(err, ErrorCode.PermissionDenied) || isNodeletError(err, ErrorCode.NotFound)) {
        this.deps.log.info('endpointslice controller: cannot create a slice', { service: key, error: errorMessage(err) });
        return;
      }
      throw err;
    }
  }

  private async updateSlice(key: string, current: CachedSlice, p: PlannedSlice): Promise<void> {
    const body: KubeObject = {
      ...current.raw,
      metadata: { ...current.raw.metadata, labels: p.labels },
      endpoints: p.endpoints.map(endpointJson),
      ports: p.ports.map(portJson),
    };
    const updated = await this.deps.client.update(`/apis/discovery.k8s.io/v1/namespaces/${current.namespace}/endpointslices/${current.name}`, body);
    this.expect(key, current.name, updated.metadata.resourceVersion ?? '');
  }

  private async deleteSlice(key: string, s: Slice): Promise<void> {
    try {
      await this.deps.client.delete(`/apis/discovery.k8s.io/v1/namespaces/${s.namespace}/endpointslices/${s.name}`, { preconditions: { uid: s.uid } });
      this.expect(key, s.name, 'deleted');
    } catch (err) {
      if (isNodeletError(err, ErrorCode.NotFound) || isNodeletError(err, ErrorCode.Conflict)) return;
      throw err;
    }
  }
}

/** a >= b for resourceVersions; numeric where both are (etcd and SQLite revisions), else equal. */
function versionAtLeast(a: string, b: string): boolean {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) >= BigInt(b);
  return a === b;
}

function endpointJson(e: Endpoint): JsonObject {
  return {
    addresses: [...e.addresses],
    conditions: { ready: e.conditions.ready, serving: e.conditions.serving, terminating: e.conditions.terminating },
    ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
    ...(e.nodeName === undefined ? {} : { nodeName: e.nodeName }),
    ...(e.targetRef === undefined ? {} : { targetRef: { kind: e.targetRef.kind, namespace: e.targetRef.namespace, name: e.targetRef.name, uid: e.targetRef.uid } }),
  };
}

function portJson(p: EndpointPort): JsonObject {
  return { name: p.name, port: p.port, protocol: p.protocol, ...(p.appProtocol === undefined ? {} : { appProtocol: p.appProtocol }) };
}
