// A stand-in for kubelets (and the scheduler) on hollow nodes, for the workload controller
// tests: binds each new pod to the next live node through pods/binding, marks bound pods
// Running and Ready through pods/status, and finishes the deletion of terminating pods (DELETE
// with grace 0), as a kubelet does. A node taken down() gets no new pods and its pods are left
// alone (a dead kubelet); holdReady() keeps new pods from becoming Ready.
import { Informer } from '../../../../src/api/client/informer.js';
import type { KubeClient } from '../../../../src/api/client/types.js';
import { podView, type PodView } from '../../../../src/apiserver/controllers/replicaset/pods.js';
import { WorkQueue } from '../../../../src/apiserver/controllers/work-queue.js';
import { systemClock } from '../../../../src/base/clock.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { createLogger } from '../../../../src/base/log.js';

export class FakeKubelet {
  private readonly pods: Informer<PodView>;
  private readonly queue: WorkQueue;
  private readonly dead = new Set<string>();
  private next = 0;
  private holding = false;

  constructor(
    private readonly client: KubeClient,
    private readonly nodes: readonly string[],
  ) {
    const log = createLogger({ level: process.env.NODELET_TEST_LOG ?? 'error', format: 'text' });
    this.queue = new WorkQueue({ clock: systemClock, log, name: 'fake kubelet' }, (key, signal) => this.sync(key, signal));
    this.pods = new Informer({ client, clock: systemClock }, { path: '/api/v1/pods', parse: podView });
    this.pods.addHandlers({ upsert: (key) => this.queue.add(key) });
  }

  async start(): Promise<void> {
    this.pods.start();
    await this.pods.waitForSync();
    this.queue.start();
  }

  down(node: string): void {
    this.dead.add(node);
  }

  up(node: string): void {
    this.dead.delete(node);
    for (const key of this.pods.keys()) this.queue.add(key);
  }

  holdReady(hold: boolean): void {
    this.holding = hold;
    if (!hold) for (const key of this.pods.keys()) this.queue.add(key);
  }

  async dispose(): Promise<void> {
    await this.queue.dispose();
    await this.pods.dispose();
  }

  private async sync(key: string, signal: AbortSignal): Promise<void> {
    const pod = this.pods.get(key);
    if (pod === undefined) return;
    const path = `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`;
    try {
      if (pod.nodeName === '') {
        if (pod.deleting) return;
        const live = this.nodes.filter((n) => !this.dead.has(n));
        const node = live[this.next++ % live.length];
        if (node === undefined) return;
        const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.name, namespace: pod.namespace }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
        await this.client.create(`${path}/binding`, binding, { signal });
        return;
      }
      if (this.dead.has(pod.nodeName)) return;
      if (pod.deleting) {
        await this.client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: pod.uid } }, { signal });
        return;
      }
      if (pod.ready || this.holding || pod.phase !== 'Pending') return;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const cond = (type: string): Record<string, string> => ({ type, status: 'True', lastTransitionTime: now });
      const status = { phase: 'Running', startTime: now, podIP: '10.0.0.1', conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')] };
      await this.client.patch(`${path}/status`, 'merge', { status }, { signal });
    } catch (err) {
      if (isNodeletError(err, ErrorCode.NotFound) || isNodeletError(err, ErrorCode.Conflict)) return;
      throw err;
    }
  }
}
