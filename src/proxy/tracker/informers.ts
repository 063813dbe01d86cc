// Wires Service and EndpointSlice informers to a ProxyTracker with kube-proxy's label selectors:
// objects labelled service.kubernetes.io/service-proxy-name belong to another proxy, and headless
// services' slices carry service.kubernetes.io/headless.
import type { Clock } from '../../base/clock.js';
import { errorMessage } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { Disposable } from '../../base/lifecycle.js';
import { Informer } from '../../api/client/informer.js';
import type { KubeClient } from '../../api/client/types.js';
import { parseEndpointSlice } from './parse-slice.js';
import { parseService } from './parse-service.js';
import type { ProxyTracker } from './tracker.js';
import type { TrackedService, TrackedSlice } from './types.js';

export const PROXY_LABEL_SELECTOR = '!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless';

export interface ProxyInformers extends Disposable {
  start(): void;
  /** Resolves when both informers delivered their first list. */
  waitForSync(): Promise<void>;
}

export function createProxyInformers(deps: { client: KubeClient; clock: Clock; log: Logger; tracker: ProxyTracker }): ProxyInformers {
  const { log, tracker } = deps;
  const onInvalid = (obj: { kind: string; metadata: { namespace?: string; name?: string } }, err: unknown): void => {
    log.warn('ignoring invalid object', { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, error: errorMessage(err) });
  };
  const onError = (err: unknown): void => {
    log.warn('watch failed; retrying', { error: errorMessage(err) });
  };
  const services = new Informer<TrackedService>(deps, { path: '/api/v1/services', labelSelector: PROXY_LABEL_SELECTOR, parse: parseService, onInvalid, onError });
  const slices = new Informer<TrackedSlice>(deps, {
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    labelSelector: `kubernetes.io/service-name,${PROXY_LABEL_SELECTOR}`,
    parse: parseEndpointSlice,
    onInvalid,
    onError,
  });
  services.addHandlers({
    upsert: (_key, svc) => tracker.serviceUpserted(svc),
    deleted: (_key, last) => tracker.serviceDeleted(last.namespace, last.name),
  });
  slices.addHandlers({
    upsert: (_key, slice, old) => tracker.sliceUpserted(slice, old),
    deleted: (_key, last) => tracker.sliceDeleted(last),
  });
  return {
    start: () => {
      services.start();
      slices.start();
    },
    waitForSync: async () => {
      await Promise.all([services.waitForSync(), slices.waitForSync()]);
    },
    dispose: async () => {
      await Promise.all([services.dispose(), slices.dispose()]);
    },
  };
}
