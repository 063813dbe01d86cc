// The node manager against a real `nodelet apiserver` (SQLite) and a real containerd in a test
// node: registration creates the Node with labels and status, a second run adopts it, the Lease
// is created and renewed, and a runtime that is not there makes the Node NotReady.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostInfoSource } from '../../../src/agent/node/host-info.js';
import { NodeLease } from '../../../src/agent/node/lease.js';
import type { NodeConfig, NodeDeps } from '../../../src/agent/node/node-deps.js';
import { NodeRegistrar } from '../../../src/agent/node/node-registrar.js';
import { NodeStatusManager } from '../../../src/agent/node/node-status-manager.js';
import { loadKubeconfig } from '../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../src/api/client/types.js';
import { objectAt, objectsAt, asJson, stringAt, stringMapAt } from '../../../src/api/json.js';
import type { JsonObject, KubeObject } from '../../../src/api/object.js';
import { systemClock } from '../../../src/base/clock.js';
import { createLogger } from '../../../src/base/log.js';
import { CriClient } from '../../../src/cri/client.js';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';
import { BUSYBOX_IMAGE } from '../../harness/images.js';
import { startTestNode, type TestNode } from '../../harness/testnode.js';

const log = createLogger({ level: process.env.NODE_IT_LOG ?? 'error', format: 'text' });

let apiserver: RunningApiserver;
let node: TestNode;
let client: KubeClient;

before(async () => {
  [apiserver, node] = await Promise.all([startApiserver('sqlite'), startTestNode()]);
  client = createKubeClient({ credentials: await loadKubeconfig(apiserver.kubeconfig), userAgent: 'nodelet-node-it' });
});

after(async () => {
  client?.close();
  await node?.dispose();
  await apiserver?.stop();
});

function config(nodeName: string): NodeConfig {
  return {
    nodeName,
    podCIDR: '10.244.3.0/24',
    maxPods: 110,
    nodeStatusMaxImages: 50,
    nodeStatusUpdateFrequencyMs: 10_000,
    nodeStatusReportFrequencyMs: 300_000,
    nodeLeaseDurationSeconds: 40,
  };
}

function deps(nodeName: string, endpoint: string): NodeDeps {
  // A deadline short enough that a dead runtime answers quickly either way.
  const runtime = node.add(new CriClient({ endpoint, timeoutMs: 5_000 }));
  return {
    client,
    clock: systemClock,
    runtime,
    hostInfo: createHostInfoSource({ rootDir: node.tmp.join('root'), nodeIP: '10.250.0.1' }),
    config: config(nodeName),
    log,
  };
}

function status(o: KubeObject): JsonObject | undefined {
  return objectAt(asJson(o), 'status');
}

function condition(o: KubeObject, type: string): JsonObject | undefined {
  return objectsAt(status(o), 'conditions').find((c) => c['type'] === type);
}

describe('node registration, status and lease', () => {
  test('registers the Node with labels and status, and adopts it on a second run', async () => {
    const d = deps('node-it', node.containerd.socketPath);
    await d.runtime.pullImage(BUSYBOX_IMAGE.ref);
    const first = await new NodeRegistrar(d).register(AbortSignal.timeout(60_000));
    assert.equal(first.adopted, false);

    const got = await client.get('/api/v1/nodes/node-it');
    const labels = got.metadata.labels ?? {};
    assert.equal(labels['kubernetes.io/hostname'], 'node-it');
    assert.equal(labels['kubernetes.io/os'], 'linux');
    assert.ok((labels['kubernetes.io/arch'] ?? '') !== '');
    assert.equal(stringAt(objectAt(asJson(got), 'spec'), 'podCIDR'), '10.244.3.0/24');
    const capacity = stringMapAt(status(got), 'capacity') ?? {};
    assert.match(capacity['cpu'] ?? '', /^[1-9]\d*$/);
    assert.match(capacity['memory'] ?? '', /^\d+(Ki|Mi|Gi)?$/);
    assert.equal(capacity['pods'], '110');
    assert.ok((capacity['ephemeral-storage'] ?? '') !== '');
    const nodeInfo = objectAt(status(got), 'nodeInfo');
    assert.match(stringAt(nodeInfo, 'containerRuntimeVersion') ?? '', /^containerd:\/\/\S+/);
    assert.equal(stringAt(nodeInfo, 'operatingSystem'), 'linux');
    assert.ok((stringAt(nodeInfo, 'bootID') ?? '') !== '');
    const ready = condition(got, 'Ready');
    assert.equal(ready?.['status'], 'True', JSON.stringify(ready));
    assert.equal(ready?.['reason'], 'KubeletReady');
    assert.deepEqual(objectsAt(status(got), 'addresses'), [
      { type: 'InternalIP', address: '10.250.0.1' },
      { type: 'Hostname', address: 'node-it' },
    ]);
    const images = objectsAt(status(got), 'images').flatMap((i) => (Array.isArray(i['names']) ? i['names'] : []));
    assert.ok(images.some((n) => typeof n === 'string' && n.startsWith('nodelet.local/busybox')), JSON.stringify(images));

    // Someone removes a label; a restarted agent adopts the Node, restores it, keeps the uid.
    await client.patch('/api/v1/nodes/node-it', 'merge', { metadata: { labels: { 'kubernetes.io/os': null, extra: 'kept' } } });
    const second = await new NodeRegistrar(d).register(AbortSignal.timeout(60_000));
    assert.equal(second.adopted, true);
    const adopted = await client.get('/api/v1/nodes/node-it');
    assert.equal(adopted.metadata.uid, got.metadata.uid);
    assert.equal(adopted.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.equal(adopted.metadata.labels?.['extra'], 'kept');
    assert.equal(condition(adopted, 'Ready')?.['lastTransitionTime'], ready?.['lastTransitionTime']);

    // The status manager's first update writes; the next one, unchanged, does not.
    const manager = new NodeStatusManager(d);
    assert.equal(await manager.sync(AbortSignal.timeout(60_000)), 'patched');
    assert.equal(await manager.sync(AbortSignal.timeout(60_000)), 'unchanged');
  });

  test('creates the Lease owned by the Node and renews it', async () => {
    const d = deps('node-it', node.containerd.socketPath);
    const owner = await client.get('/api/v1/nodes/node-it');
    const lease = new NodeLease({ client, clock: systemClock, log, config: d.config, renewIntervalMs: 200 });
    const ac = new AbortController();
    const loop = lease.start(ac.signal);
    try {
      const path = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-it';
      let first: KubeObject | undefined;
      for (let i = 0; i < 100 && first === undefined; i++) {
        first = await client.get(path).catch(() => undefined);
        if (first === undefined) await systemClock.sleep(100);
      }
      assert.ok(first !== undefined, 'the Lease was created');
      const spec = objectAt(asJson(first), 'spec');
      assert.equal(stringAt(spec, 'holderIdentity'), 'node-it');
      assert.equal(spec?.['leaseDurationSeconds'], 40);
      const firstRenew = stringAt(spec, 'renewTime') ?? '';
      assert.match(firstRenew, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.deepEqual(first.metadata.ownerReferences?.map((r) => [r.apiVersion, r.kind, r.name, r.uid]), [['v1', 'Node', 'node-it', owner.metadata.uid]]);

      let renewed = firstRenew;
      for (let i = 0; i < 100 && renewed === firstRenew; i++) {
        await systemClock.sleep(100);
        renewed = stringAt(objectAt(asJson(await client.get(path)), 'spec'), 'renewTime') ?? '';
      }
      assert.ok(renewed > firstRenew, `renewTime advanced: ${firstRenew} -> ${renewed}`);
    } finally {
      ac.abort();
      await loop;
    }
  });

  test('a runtime endpoint with nothing listening makes the Node NotReady', async () => {
    const d = deps('node-dead', `unix://${node.tmp.join('dead.sock')}`);
    await new NodeRegistrar(d).register(AbortSignal.timeout(60_000));
    const got = await client.get('/api/v1/nodes/node-dead');
    const ready = condition(got, 'Ready');
    assert.equal(ready?.['status'], 'False', JSON.stringify(ready));
    assert.equal(ready?.['reason'], 'KubeletNotReady');
    assert.equal(ready?.['message'], 'container runtime is down');
  });
});
