// The ReplicaSet controller against the real apiserver with hollow nodes and a fake kubelet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asJson, numberAt, objectAt } from '../../../../src/api/json.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { ReplicaSetController } from '../../../../src/apiserver/controllers/replicaset/controller.js';
import { isActive, podView, type PodView } from '../../../../src/apiserver/controllers/replicaset/pods.js';
import { kubectlFor } from '../../kubectl/kubectl-runner.js';
import { startEnv, systemClock, waitFor, type ControllerEnv } from './env.js';

const NS = '/api/v1/namespaces/default';
const RS_PATH = '/apis/apps/v1/namespaces/default/replicasets';

function rs(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nodelet.local/busybox:1.35' }] } },
    },
  };
}

async function ownedPods(env: ControllerEnv, app: string, uid: string): Promise<PodView[]> {
  const list = await env.client.list(`${NS}/pods`, { labelSelector: `app=${app}` });
  return list.items.map(podView).filter((p): p is PodView => p !== undefined && isActive(p) && p.owners.some((o) => o.uid === uid && o.controller === true));
}

describe('ReplicaSet controller', () => {
  let env: ControllerEnv;
  let ctrl: ReplicaSetController;

  before(async () => {
    env = await startEnv(3);
    ctrl = new ReplicaSetController({ client: env.client, clock: systemClock, log: env.log });
    ctrl.start();
  });
  after(async () => {
    await ctrl?.dispose();
    await env?.close();
  });

  it('keeps 3 replicas when one is deleted, with owner references and status', async () => {
    const created = await env.client.create(RS_PATH, rs('web', 3));
    const uid = created.metadata.uid ?? '';
    const first = await waitFor('3 ready pods', async () => {
      const pods = await ownedPods(env, 'web', uid);
      return pods.length === 3 && pods.every((p) => p.ready) ? pods : undefined;
    });
    for (const p of first) {
      assert.match(p.name, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.owners, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);
    }
    const victim = first[0];
    assert.ok(victim);
    await env.client.delete(`${NS}/pods/${victim.name}`);
    const again = await waitFor('3 ready pods after a deletion', async () => {
      const pods = await ownedPods(env, 'web', uid);
      return pods.length === 3 && pods.every((p) => p.ready) && !pods.some((p) => p.uid === victim.uid) ? pods : undefined;
    });
    assert.equal(again.length, 3);
    await waitFor('status', async () => {
      const status = objectAt(asJson(await env.client.get(`${RS_PATH}/web`)), 'status');
      return numberAt(status, 'readyReplicas') === 3 && numberAt(status, 'availableReplicas') === 3 && numberAt(status, 'replicas') === 3 &&
        numberAt(status, 'fullyLabeledReplicas') === 3 && numberAt(status, 'observedGeneration') === 1 ? true : undefined;
    });
  });

  it('does not double a burst: exactly the replicas are created', async () => {
    const created = await env.client.create(RS_PATH, rs('burst', 20));
    const uid = created.metadata.uid ?? '';
    await waitFor('20 pods', async () => ((await ownedPods(env, 'burst', uid)).length === 20 ? true : undefined));
    await ctrl.idle();
    await systemClock.sleep(500);
    await ctrl.idle();
    const all = (await env.client.list(`${NS}/pods`, { labelSelector: 'app=burst' })).items;
    assert.equal(all.length, 20);
  });

  it('adopts a matching orphan and releases a pod whose labels no longer match', async () => {
    const created = await env.client.create(RS_PATH, rs('adopt', 2));
    const uid = created.metadata.uid ?? '';
    await waitFor('2 pods', async () => ((await ownedPods(env, 'adopt', uid)).length === 2 ? true : undefined));
    const pods = await ownedPods(env, 'adopt', uid);
    const stray = pods[0];
    assert.ok(stray);
    await env.client.patch(`${NS}/pods/${stray.name}`, 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor('the stray released', async () => {
      const p = podView(await env.client.get(`${NS}/pods/${stray.name}`));
      return p !== undefined && !p.owners.some((o) => o.uid === uid) ? true : undefined;
    });
    await waitFor('a replacement', async () => ((await ownedPods(env, 'adopt', uid)).length === 2 ? true : undefined));
    // Back to matching: adopted again, and the surplus pod deleted.
    await env.client.patch(`${NS}/pods/${stray.name}`, 'merge', { metadata: { labels: { app: 'adopt' } } });
    await waitFor('2 pods after re-adoption', async () => {
      const owned = await ownedPods(env, 'adopt', uid);
      const all = (await env.client.list(`${NS}/pods`, { labelSelector: 'app=adopt' })).items.map(podView).filter((p) => p !== undefined && isActive(p));
      return owned.length === 2 && all.length === 2 ? true : undefined;
    });
  });

  it('kubectl scale through /scale', async () => {
    const kubectl = kubectlFor(env.apiserver.kubeconfig, env.apiserver.tmp.join('kubectl-cache'));
    await kubectl.ok('scale', 'replicaset/web', '--replicas=1');
    const created = await env.client.get(`${RS_PATH}/web`);
    await waitFor('1 pod', async () => ((await ownedPods(env, 'web', created.metadata.uid ?? '')).length === 1 ? true : undefined));
  });
});
