// The controller manager inside `nodelet apiserver` (upstream kube-controller-manager and
// kube-scheduler in one): each controller is a client of the API over HTTPS with its own
// informers, so it behaves the same on SQLite and etcd and could run in another process. The
// informers share one list+watch per collection (SharedReflectors), as upstream's shared informer
// factory: six controllers keep a pod informer.
// `--controllers` picks them (names.ts).
import { SharedReflectors } from '../../api/client/shared-reflectors.js';
import type { KubeClient } from '../../api/client/types.js';
import type { Clock } from '../../base/clock.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import type { ControllerDeps } from './deps.js';
import type { ControllerName } from './names.js';
import { DeploymentController } from './deployment/controller.js';
import { EndpointsController } from './endpointslice/endpoints-controller.js';
import { EndpointSliceController } from './endpointslice/slice-controller.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { SchedulerController } from './scheduler/scheduler.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';

export interface ControllerSettings {
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
  nodeMonitorGracePeriodMs: number;
  podEvictionTimeoutSeconds: number;
}

interface Startable extends Disposable {
  start(): void;
}

type Deps = { client: KubeClient; clock: Clock; log: Logger };
type Factory = (deps: ControllerDeps, s: ControllerSettings) => Startable;

const FACTORIES: Record<ControllerName, Factory> = {
  scheduler: (d) => new SchedulerController(d),
  endpointslice: (d) => new EndpointSliceController(d),
  endpoints: (d) => new EndpointsController(d),
  nodeipam: (d, s) => new NodeIpamController(d, { clusterCIDR: s.clusterCIDR, nodeCIDRMaskSize: s.nodeCIDRMaskSize }),
  nodelifecycle: (d, s) => new NodeLifecycleController(d, { gracePeriodMs: s.nodeMonitorGracePeriodMs, evictionTimeoutSeconds: s.podEvictionTimeoutSeconds }),
  replicaset: (d) => new ReplicaSetController(d),
  deployment: (d) => new DeploymentController(d),
  serviceaccount: (d) => new ServiceAccountsController(d),
};

/** Starts the named controllers; disposing stops them all. */
export function startControllers(deps: Deps, names: readonly ControllerName[], settings: ControllerSettings): Disposable {
  // Every controller is built before any starts: a constructor that throws (a bad option) leaves nothing running.
  const reflectors = new SharedReflectors({ client: deps.client, clock: deps.clock });
  const running = names.map((name) => FACTORIES[name]({ ...deps, reflectors, log: deps.log.child({ controller: name }) }, settings));
  for (const c of running) c.start();
  deps.log.info('controllers started', { controllers: names });
  return {
    dispose: async () => {
      await Promise.allSettled(running.map((c) => c.dispose()));
    },
  };
}
