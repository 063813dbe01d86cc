// Services and pods as both endpoints controllers see them: two informers, indexes by namespace,
// and the mapping from a change to the services it concerns (a pod change enqueues every service
// in its namespace whose selector matches its old or new labels; a change that does not touch
// what endpoints are made of enqueues nothing). Handlers only enqueue service keys.
import { errorMessage } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { Informer } from '../../../api/client/informer.js';
import { parsePod, parseService, podsEquivalent, selectorMatches, type Pod, type Service } from './model.js';
import type { ControllerDeps } from '../deps.js';

export class ServicePodIndex implements Disposable {
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly servicesByNs = new Map<string, Map<string, Service>>();
  private readonly podsByNs = new Map<string, Map<string, Pod>>();

  constructor(deps: ControllerDeps & { name: string }, enqueue: (serviceKey: string) => void) {
    const onInvalid = (kind: string) => (obj: { metadata: { name?: string } }, err: unknown): void => {
      deps.log.warn(`${deps.name}: ignoring an invalid ${kind}`, { name: obj.metadata.name, error: errorMessage(err) });
    };
    const onError = (err: unknown): void => {
      deps.log.warn(`${deps.name}: watch failed`, { error: errorMessage(err) });
    };
    this.services = new Informer<Service>(deps, { path: '/api/v1/services', parse: parseService, onInvalid: onInvalid('service'), onError });
    this.pods = new Informer<Pod>(deps, { path: '/api/v1/pods', parse: parsePod, onInvalid: onInvalid('pod'), onError });
    this.services.addHandlers({
      upsert: (key, svc) => {
        byNs(this.servicesByNs, svc.namespace).set(key, svc);
        enqueue(key);
      },
      deleted: (key, svc) => {
        this.servicesByNs.get(svc.namespace)?.delete(key);
        enqueue(key);
      },
    });
    const enqueueFor = (pod: Pod, old: Pod | undefined): void => {
      for (const [key, svc] of this.servicesByNs.get(pod.namespace) ?? []) {
        if (selectorMatches(svc.selector, pod.labels) || (old !== undefined && selectorMatches(svc.selector, old.labels))) enqueue(key);
      }
    };
    this.pods.addHandlers({
      upsert: (key, pod, old) => {
        byNs(this.podsByNs, pod.namespace).set(key, pod);
        if (old !== undefined && podsEquivalent(old, pod)) return;
        enqueueFor(pod, old);
      },
      deleted: (key, pod) => {
        this.podsByNs.get(pod.namespace)?.delete(key);
        enqueueFor(pod, undefined);
      },
    });
  }

  start(): void {
    this.services.start();
    this.pods.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([this.services.waitForSync(), this.pods.waitForSync()]);
  }

  service(key: string): Service | undefined {
    return this.services.get(key);
  }

  /** The pods in the service's namespace that its selector matches. */
  podsOf(service: Service): Pod[] {
    const out: Pod[] = [];
    for (const pod of this.podsByNs.get(service.namespace)?.values() ?? []) if (selectorMatches(service.selector, pod.labels)) out.push(pod);
    return out;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.services.dispose(), this.pods.dispose()]);
  }
}

function byNs<T>(index: Map<string, Map<string, T>>, ns: string): Map<string, T> {
  let m = index.get(ns);
  if (m === undefined) index.set(ns, (m = new Map()));
  return m;
}
