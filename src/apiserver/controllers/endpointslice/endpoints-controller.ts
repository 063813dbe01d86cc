// The legacy Endpoints controller (upstream pkg/controller/endpoint): one Endpoints object per
// Service with a selector, named like it, for tools that still read them. Same service/pod
// informers as the slice controller; an Endpoints informer says what is stored, so an unchanged
// service costs no request. Deleting a Service deletes its Endpoints; an Endpoints object deleted
// by someone else is recreated.
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { jsonEqual } from '../../../api/json.js';
import { Informer } from '../../../api/client/informer.js';
import { isJsonObject, type JsonValue, type KubeObject } from '../../../api/object.js';
import { WorkQueue } from '../work-queue.js';
import { desiredSubsets, endpointsLabels } from './endpoints-plan.js';
import { ServicePodIndex } from './service-index.js';
import type { ControllerDeps } from '../deps.js';

export class EndpointsController implements Disposable {
  private readonly index: ServicePodIndex;
  private readonly endpoints: Informer<KubeObject>;
  private readonly queue: WorkQueue;
  private starting: Promise<void> | undefined;

  constructor(private readonly deps: ControllerDeps, _opts: Record<string, never> = {}) {
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'endpoints controller' }, (key) => this.sync(key));
    this.index = new ServicePodIndex({ ...deps, name: 'endpoints controller' }, (key) => this.queue.add(key));
    this.endpoints = new Informer<KubeObject>(deps, {
      path: '/api/v1/endpoints',
      parse: (obj) => obj,
      onError: (err) => deps.log.warn('endpoints controller: watch failed', { error: errorMessage(err) }),
    });
    // Only deletions: a standalone Endpoints object (no Service) is the user's and stays.
    this.endpoints.addHandlers({ deleted: (key) => this.queue.add(key) });
  }

  start(): void {
    this.starting ??= (async () => {
      this.index.start();
      this.endpoints.start();
      await Promise.all([this.index.waitForSync(), this.endpoints.waitForSync()]);
      this.queue.start();
    })();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    await this.queue.dispose();
    await Promise.all([this.index.dispose(), this.endpoints.dispose()]);
    await this.starting;
  }

  private async sync(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const path = `/api/v1/namespaces/${namespace}/endpoints/${name}`;
    const service = this.index.service(key);
    const current = this.endpoints.get(key);
    if (service === undefined) {
      if (current === undefined) return;
      try {
        await this.deps.client.delete(path, current.metadata.uid === undefined ? {} : { preconditions: { uid: current.metadata.uid } });
      } catch (err) {
        if (!isNodeletError(err, ErrorCode.NotFound) && !isNodeletError(err, ErrorCode.Conflict)) throw err;
      }
      return;
    }
    if (service.type === 'ExternalName' || service.selector === undefined) return;
    const subsets = desiredSubsets(service, this.index.podsOf(service));
    const labels = endpointsLabels(service);
    if (current === undefined) {
      const body: KubeObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace, labels }, subsets };
      try {
        await this.deps.client.create(`/api/v1/namespaces/${namespace}/endpoints`, body);
      } catch (err) {
        // Created meanwhile (our cache lags): the informer's copy will be compared next time.
        if (isNodeletError(err, ErrorCode.AlreadyExists)) return this.updateFresh(path, labels, subsets);
        if (isNodeletError(err, ErrorCode.PermissionDenied)) {
          this.deps.log.info('endpoints controller: cannot create Endpoints', { service: key, error: errorMessage(err) });
          return;
        }
        throw err;
      }
      return;
    }
    if (sameContent(current, labels, subsets)) return;
    try {
      await this.deps.client.update(path, { ...current, metadata: { ...current.metadata, labels }, subsets });
    } catch (err) {
      if (!isNodeletError(err, ErrorCode.Conflict)) throw err;
      await this.updateFresh(path, labels, subsets);
    }
  }

  /** Re-reads and writes (after a conflict or a lost race to create). */
  private async updateFresh(path: string, labels: Record<string, string>, subsets: JsonValue[]): Promise<void> {
    const fresh = await this.deps.client.get(path);
    if (sameContent(fresh, labels, subsets)) return;
    await this.deps.client.update(path, { ...fresh, metadata: { ...fresh.metadata, labels }, subsets });
  }
}

function sameContent(current: KubeObject, labels: Record<string, string>, subsets: JsonValue[]): boolean {
  const stored = Array.isArray(current.subsets) ? current.subsets.filter(isJsonObject) : [];
  return jsonEqual(stored, subsets) && jsonEqual(current.metadata.labels ?? {}, labels);
}
