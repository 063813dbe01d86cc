// Node lifecycle against the real apiserver: a hollow node that stops renewing its Lease goes
// Unknown and tainted, its pods are marked not ready and evicted (short timeout here), the
// ReplicaSet replaces them on other nodes; renewing again removes the taints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asJson, objectAt, objectsAt } from '../../../../src/api/json.js';
import { NodeLifecycleController } from '../../../../src/apiserver/controllers/nodelifecycle/controller.js';
import { ReplicaSetController } from '../../../../src/apiserver/controllers/replicaset/controller.js';
import { isActive, podView, type PodView } from '../../../../src/apiserver/controllers/replicaset/pods.js';
import { startEnv, systemClock, waitFor, type ControllerEnv } from '../replicaset/env.js';

const PODS = '/api/v1/namespaces/default/pods';

describe('node lifecycle controller', () => {
  let env: ControllerEnv;
  let rsCtrl: ReplicaSetController;
  let nodeCtrl: NodeLifecycleController;

  before(async () => {
    env = await startEnv(3, 300);
    rsCtrl = new ReplicaSetController({ client: env.client, clock: systemClock, log: env.log });
    nodeCtrl = new NodeLifecycleController({ client: env.client, clock: systemClock, log: env.log }, { gracePeriodMs: 2000, monitorPeriodMs: 500, evictionTimeoutSeconds: 2 });
    rsCtrl.start();
    nodeCtrl.start();
  });
  after(async () => {
    await nodeCtrl?.dispose();
    await rsCtrl?.dispose();
    await env?.close();
  });

  it('a silent node goes Unknown and tainted, its pods are replaced elsewhere; back, the taints go', async () => {
    await env.client.create('/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'c', image: 'nodelet.local/busybox:1.35' }],
            // The apiserver adds upstream's default 300 s tolerations unless a pod has its own: this one is honoured.
            tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }],
          },
        },
      },
    });
    const pods = await waitFor('3 ready pods', async () => {
      const list = (await env.client.list(PODS, { labelSelector: 'app=web' })).items.map(podView).filter((p): p is PodView => p !== undefined && isActive(p) && p.ready);
      return list.length === 3 ? list : undefined;
    });
    const dead = pods[0]?.nodeName ?? '';
    assert.ok(env.nodes.names.includes(dead));
    const victims = new Set(pods.filter((p) => p.nodeName === dead).map((p) => p.uid));
    // The node stays Ready while it renews.
    await systemClock.sleep(2500);
    const alive = await env.client.get(`/api/v1/nodes/${dead}`);
    assert.equal(objectsAt(objectAt(asJson(alive), 'spec'), 'taints').length, 0);

    env.nodes.stopRenewing(dead);
    env.kubelet.down(dead);
    const node = await waitFor('the node Unknown and tainted', async () => {
      const n = asJson(await env.client.get(`/api/v1/nodes/${dead}`));
      const ready = objectsAt(objectAt(n, 'status'), 'conditions').find((c) => c['type'] === 'Ready');
      const taints = objectsAt(objectAt(n, 'spec'), 'taints');
      return ready?.['status'] === 'Unknown' && taints.length === 2 ? { ready, taints } : undefined;
    });
    assert.equal(node.ready['reason'], 'NodeStatusUnknown');
    assert.equal(node.ready['message'], 'Kubelet stopped posting node status.');
    assert.deepEqual(node.taints.map((t) => `${String(t['key'])}:${String(t['effect'])}:${t['timeAdded'] === undefined ? '-' : 'time'}`).sort(), [
      'node.kubernetes.io/unreachable:NoExecute:time',
      'node.kubernetes.io/unreachable:NoSchedule:-',
    ]);

    let last = '';
    await waitFor('the pods on it not ready, evicted and replaced on other nodes', async () => {
      const all = (await env.client.list(PODS, { labelSelector: "app=web" })).items.map(podView).filter((p): p is PodView => p !== undefined);
      last = all.map((p) => `${p.name} ${p.nodeName} ready=${p.ready} deleting=${p.deleting}`).join('; ');
      const old = all.filter((p) => victims.has(p.uid));
      const active = all.filter((p) => isActive(p) && p.ready);
      const done = old.every((p) => !p.ready && p.deleting) && active.length === 3 && active.every((p) => p.nodeName !== dead);
      return done ? true : undefined;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; pods: ${last}`);
    });

    env.nodes.resumeRenewing(dead);
    env.kubelet.up(dead);
    await waitFor('the taints removed', async () => {
      const n = asJson(await env.client.get(`/api/v1/nodes/${dead}`));
      return objectsAt(objectAt(n, 'spec'), 'taints').length === 0 ? true : undefined;
    });
  });
});
