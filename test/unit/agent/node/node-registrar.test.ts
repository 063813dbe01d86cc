import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { adoptionPatch, NodeRegistrar } from '../../../../src/agent/node/node-registrar.js';
import type { NodeConfig, NodeDeps } from '../../../../src/agent/node/node-deps.js';
import { FakeClock, FakeKubeClient, FakeRuntime, fakeHostInfo, silentLog } from './fakes.js';

const CONFIG: NodeConfig = {
  nodeName: 'worker-1',
  podCIDR: '',
  maxPods: 110,
  nodeStatusMaxImages: 50,
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 300_000,
  nodeLeaseDurationSeconds: 40,
};

function setup(config: Partial<NodeConfig> = {}): { client: FakeKubeClient; clock: FakeClock; deps: NodeDeps } {
  const client = new FakeKubeClient();
  const clock = new FakeClock();
  const runtime = new FakeRuntime();
  return { client, clock, deps: { client, clock, runtime: runtime.asRuntime(), hostInfo: fakeHostInfo, config: { ...CONFIG, ...config }, log: silentLog } };
}

const NODE = '/api/v1/nodes/worker-1';

describe('NodeRegistrar', () => {
  test('creates the Node with labels, spec and status', async () => {
    const { client, deps } = setup({ podCIDR: '10.244.0.0/24' });
    const result = await new NodeRegistrar(deps).register(AbortSignal.timeout(5000));
    assert.equal(result.adopted, false);
    const [create] = client.callsTo('create');
    assert.equal(create?.path, '/api/v1/nodes');
    const node = client.objects.get(NODE);
    assert.equal(node?.metadata.labels?.['kubernetes.io/hostname'], 'worker-1');
    assert.equal(node?.metadata.labels?.['kubernetes.io/os'], 'linux');
    assert.deepEqual(node?.spec, { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] });
    assert.equal(result.node.metadata.uid, node?.metadata.uid);
    assert.equal(client.callsTo('patch').length, 0);
  });

  test('adopts an existing Node: restores labels, sets an unset pod CIDR, writes status', async () => {
    const { client, deps } = setup({ podCIDR: '10.244.0.0/24' });
    client.objects.set(NODE, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: 'worker-1', uid: 'old', resourceVersion: '1', labels: { 'kubernetes.io/os': 'windows', custom: 'x' } },
      spec: {},
    });
    const result = await new NodeRegistrar(deps).register(AbortSignal.timeout(5000));
    assert.equal(result.adopted, true);
    const [labelPatch, statusPatch] = client.callsTo('patch');
    assert.equal(labelPatch?.path, NODE);
    assert.equal(labelPatch?.patchType, 'merge');
    assert.deepEqual(labelPatch?.body, {
      metadata: { labels: { 'kubernetes.io/hostname': 'worker-1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64' } },
      spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    });
    assert.equal(statusPatch?.path, `${NODE}/status`);
    assert.equal(statusPatch?.patchType, 'strategic');
    const node = client.objects.get(NODE);
    assert.equal(node?.metadata.uid, 'old');
    assert.equal(node?.metadata.labels?.custom, 'x');
    assert.equal(node?.metadata.labels?.['kubernetes.io/os'], 'linux');
    const ready = (result.node.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
  });

  test('adopting a Node that needs nothing sends only the status', async () => {
    const { client, deps } = setup();
    await new NodeRegistrar(deps).register(AbortSignal.timeout(5000));
    await new NodeRegistrar(deps).register(AbortSignal.timeout(5000));
    assert.deepEqual(client.callsTo('patch').map((c) => c.path), [`${NODE}/status`]);
  });

  test('retries with back-off until the apiserver answers', async () => {
    const { client, clock, deps } = setup();
    const down = (): NodeletError => new NodeletError(ErrorCode.Unavailable, 'connection refused');
    client.failures.create = [down(), down(), down()];
    const result = await new NodeRegistrar(deps).register(AbortSignal.timeout(5000));
    assert.equal(result.adopted, false);
    assert.deepEqual(clock.sleeps, [100, 200, 400]);
  });

  test('rejects when the signal aborts during back-off', async () => {
    const { client, clock, deps } = setup();
    client.failures.create = [new NodeletError(ErrorCode.Unavailable, 'down')];
    const ac = new AbortController();
    clock.onSleep = () => ac.abort(new Error('stop'));
    await assert.rejects(new NodeRegistrar(deps).register(ac.signal), /stop/);
  });

  test('adoptionPatch', () => {
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { labels: { a: '1' } }, spec: { podCIDR: '10.0.0.0/24' } };
    assert.equal(adoptionPatch(node, { a: '1' }, '10.1.0.0/24'), undefined);
    assert.deepEqual(adoptionPatch(node, { a: '2' }, ''), { metadata: { labels: { a: '2' } } });
  });
});
