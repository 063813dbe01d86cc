// The Deployment controller (with the ReplicaSet controller) against the real apiserver, hollow
// nodes and a fake kubelet: a rolling update watched pod by pod, kubectl rollout status /
// history / undo, scale, pause, and controllers restarted mid-rollout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Informer } from '../../../../src/api/client/informer.js';
import { asJson, objectAt, objectsAt, stringAt } from '../../../../src/api/json.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { DeploymentController } from '../../../../src/apiserver/controllers/deployment/controller.js';
import { deploymentView } from '../../../../src/apiserver/controllers/deployment/deployment-view.js';
import { ReplicaSetController } from '../../../../src/apiserver/controllers/replicaset/controller.js';
import { isActive, podView, type PodView } from '../../../../src/apiserver/controllers/replicaset/pods.js';
import { replicaSetView } from '../../../../src/apiserver/controllers/replicaset/replicaset-view.js';
import { kubectlFor, type Kubectl } from '../../kubectl/kubectl-runner.js';
import { startEnv, systemClock, waitFor, type ControllerEnv } from '../replicaset/env.js';

const D_PATH = '/apis/apps/v1/namespaces/default/deployments';
const RS_PATH = '/apis/apps/v1/namespaces/default/replicasets';
const IMAGE = 'nodelet.local/busybox:1.35';

function deployment(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, annotations: { 'kubernetes.io/change-cause': 'v1' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations: { v: '1' } }, spec: { containers: [{ name: 'c', image: IMAGE }] } },
    },
  };
}

async function setVersion(env: ControllerEnv, name: string, v: string): Promise<void> {
  await env.client.patch(`${D_PATH}/${name}`, 'merge', { metadata: { annotations: { 'kubernetes.io/change-cause': `v${v}` } }, spec: { template: { metadata: { annotations: { v } } } } });
}

async function replicaSets(env: ControllerEnv, app: string): Promise<NonNullable<ReturnType<typeof replicaSetView>>[]> {
  return (await env.client.list(RS_PATH, { labelSelector: `app=${app}` })).items.map(replicaSetView).filter((r) => r !== undefined);
}

describe('Deployment controller', () => {
  let env: ControllerEnv;
  let kubectl: Kubectl;
  let rsCtrl: ReplicaSetController;
  let dCtrl: DeploymentController;
  const startControllers = (): void => {
    rsCtrl = new ReplicaSetController({ client: env.client, clock: systemClock, log: env.log });
    dCtrl = new DeploymentController({ client: env.client, clock: systemClock, log: env.log });
    rsCtrl.start();
    dCtrl.start();
  };

  before(async () => {
    env = await startEnv(3);
    kubectl = kubectlFor(env.apiserver.kubeconfig, env.apiserver.tmp.join('kubectl-cache'));
    startControllers();
  });
  after(async () => {
    await dCtrl?.dispose();
    await rsCtrl?.dispose();
    await env?.close();
  });

  it('rolls out, and kubectl rollout status exits 0', async () => {
    await env.client.create(D_PATH, deployment('web', 4));
    const out = await kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    assert.match(out, /successfully rolled out/);
    const d = deploymentView(await env.client.get(`${D_PATH}/web`));
    assert.ok(d);
    assert.equal(d.annotations['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas, d.status.unavailableReplicas], [4, 4, 4, 4, 0]);
    const conds = Object.fromEntries(d.status.conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));
    assert.deepEqual(conds, { Available: 'True/MinimumReplicasAvailable', Progressing: 'True/NewReplicaSetAvailable' });
    const [rs] = await replicaSets(env, 'web');
    assert.ok(rs);
    const hash = rs.labels['pod-template-hash'] ?? '';
    assert.equal(rs.name, `web-${hash}`);
    assert.equal(rs.templateLabels['pod-template-hash'], hash);
    assert.equal(rs.annotations['deployment.kubernetes.io/desired-replicas'], '4');
    assert.equal(rs.annotations['deployment.kubernetes.io/max-replicas'], '5');
    assert.equal(rs.annotations['kubernetes.io/change-cause'], 'v1');
  });

  it('rolls to a new template with maxSurge and maxUnavailable respected at every step', async () => {
    const violations: string[] = [];
    let maxTotal = 0;
    let sawBoth = false;
    const watcher = new Informer<PodView>({ client: env.client, clock: systemClock }, { path: '/api/v1/pods', labelSelector: 'app=web', parse: podView });
    let synced = false;
    const check = (): void => {
      // The first list arrives one upsert at a time: judge only whole states.
      if (!synced) return;
      const active = watcher.list().filter(isActive);
      const available = active.filter((p) => p.ready).length;
      maxTotal = Math.max(maxTotal, active.length);
      if (new Set(active.map((p) => p.labels['pod-template-hash'])).size > 1) sawBoth = true;
      if (active.length > 5) violations.push(`total ${active.length} > 5`);
      if (available < 3) violations.push(`available ${available} < 3`);
    };
    watcher.addHandlers({ upsert: check, deleted: check });
    watcher.start();
    await watcher.waitForSync();
    synced = true;
    check();
    assert.deepEqual(violations, []);
    try {
      await setVersion(env, 'web', '2');
      await kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
      await systemClock.sleep(200);
    } finally {
      await watcher.dispose();
    }
    assert.deepEqual(violations, []);
    assert.ok(sawBoth, 'the watcher saw old and new pods together');
    assert.equal(maxTotal, 5);
    const rss = await replicaSets(env, 'web');
    assert.deepEqual(rss.map((r) => [r.annotations['deployment.kubernetes.io/revision'], r.replicas]).sort(), [['1', 0], ['2', 4]]);
  });

  it('controllers disposed mid-rollout and started again finish it', async () => {
    env.kubelet.holdReady(true);
    await setVersion(env, 'web', '3');
    await waitFor('the v3 set to start', async () => {
      const rss = await replicaSets(env, 'web');
      return rss.some((r) => r.annotations['deployment.kubernetes.io/revision'] === '3' && r.replicas > 0) ? true : undefined;
    });
    await dCtrl.dispose();
    await rsCtrl.dispose();
    const mid = deploymentView(await env.client.get(`${D_PATH}/web`));
    assert.ok(mid !== undefined && mid.status.updatedReplicas < 4, 'the rollout is unfinished');
    env.kubelet.holdReady(false);
    startControllers();
    await kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    const rss = await replicaSets(env, 'web');
    assert.deepEqual(rss.map((r) => [r.annotations['deployment.kubernetes.io/revision'], r.replicas]).sort(), [['1', 0], ['2', 0], ['3', 4]]);
  });

  it('kubectl rollout history lists the revisions with their change causes', async () => {
    const out = await kubectl.ok('rollout', 'history', 'deployment/web');
    assert.match(out, /^1\s+v1$/m);
    assert.match(out, /^2\s+v2$/m);
    assert.match(out, /^3\s+v3$/m);
  });

  it('kubectl rollout undo goes back to the previous template', async () => {
    await kubectl.ok('rollout', 'undo', 'deployment/web');
    await waitFor('the template back at v2', async () => {
      const d = await env.client.get(`${D_PATH}/web`);
      return stringAt(objectAt(objectAt(objectAt(objectAt(asJson(d), 'spec'), 'template'), 'metadata'), 'annotations'), 'v') === '2' ? true : undefined;
    });
    await kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    const rss = await replicaSets(env, 'web');
    const live = rss.filter((r) => r.replicas > 0);
    assert.equal(live.length, 1);
    assert.equal(live[0]?.annotations['deployment.kubernetes.io/revision'], '4');
    assert.equal(live[0]?.annotations['deployment.kubernetes.io/revision-history'], '2');
    assert.equal(rss.length, 3, 'the old set was reused, not a new one made');
    const d = deploymentView(await env.client.get(`${D_PATH}/web`));
    assert.equal(d?.annotations['deployment.kubernetes.io/revision'], '4');
  });

  it('kubectl scale resizes the deployment', async () => {
    await kubectl.ok('scale', 'deployment/web', '--replicas=2');
    await waitFor('2 pods', async () => {
      const d = deploymentView(await env.client.get(`${D_PATH}/web`));
      const pods = (await env.client.list('/api/v1/namespaces/default/pods', { labelSelector: 'app=web' })).items.map(podView).filter((p) => p !== undefined && isActive(p));
      return d?.status.replicas === 2 && d.status.availableReplicas === 2 && pods.length === 2 ? true : undefined;
    });
  });

  it('a paused deployment is not rolled; resumed, it is', async () => {
    await kubectl.ok('rollout', 'pause', 'deployment/web');
    await setVersion(env, 'web', '5');
    await waitFor('the paused condition', async () => {
      const d = deploymentView(await env.client.get(`${D_PATH}/web`));
      return d?.status.conditions.some((c) => c.type === 'Progressing' && c.reason === 'DeploymentPaused') === true && d.status.observedGeneration === d.generation ? true : undefined;
    });
    await dCtrl.idle();
    assert.equal((await replicaSets(env, 'web')).length, 3);
    await kubectl.ok('rollout', 'resume', 'deployment/web');
    await kubectl.ok('rollout', 'status', 'deployment/web', '--timeout=60s');
    const rss = await replicaSets(env, 'web');
    assert.equal(rss.filter((r) => r.replicas > 0).map((r) => r.annotations['deployment.kubernetes.io/revision']).join(), '5');
  });

  it('Recreate scales the old set to zero before the new one starts', async () => {
    const body = deployment('rec', 2);
    asJson(body)['spec'] = { ...(objectAt(asJson(body), 'spec') ?? {}), strategy: { type: 'Recreate' } };
    await env.client.create(D_PATH, body);
    await kubectl.ok('rollout', 'status', 'deployment/rec', '--timeout=60s');
    let overlap = false;
    const watcher = new Informer<PodView>({ client: env.client, clock: systemClock }, { path: '/api/v1/pods', labelSelector: 'app=rec', parse: podView });
    const check = (): void => {
      const hashes = new Set(watcher.list().map((p) => p.labels['pod-template-hash']));
      if (hashes.size > 1) overlap = true;
    };
    watcher.addHandlers({ upsert: check });
    watcher.start();
    await watcher.waitForSync();
    try {
      await setVersion(env, 'rec', '2');
      await kubectl.ok('rollout', 'status', 'deployment/rec', '--timeout=60s');
    } finally {
      await watcher.dispose();
    }
    assert.equal(overlap, false);
    const conds = objectsAt(objectAt(asJson(await env.client.get(`${D_PATH}/rec`)), 'status'), 'conditions');
    assert.ok(conds.some((c) => c['type'] === 'Available' && c['status'] === 'True'));
  });
});
