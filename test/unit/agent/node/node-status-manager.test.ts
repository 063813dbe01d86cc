import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';
import { NodeRegistrar } from '../../../../src/agent/node/node-registrar.js';
import { NodeStatusManager } from '../../../../src/agent/node/node-status-manager.js';
import type { NodeConfig, NodeDeps } from '../../../../src/agent/node/node-deps.js';
import type { NodeStatus } from '../../../../src/agent/node/node-status.js';
import { FakeClock, FakeKubeClient, FakeRuntime, fakeHostInfo, image, silentLog } from './fakes.js';

const CONFIG: NodeConfig = {
  nodeName: 'worker-1',
  podCIDR: '',
  maxPods: 110,
  nodeStatusMaxImages: 50,
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 300_000,
  nodeLeaseDurationSeconds: 40,
};
const STATUS = '/api/v1/nodes/worker-1/status';

async function setup(): Promise<{ client: FakeKubeClient; clock: FakeClock; runtime: FakeRuntime; deps: NodeDeps }> {
  const client = new FakeKubeClient();
  const clock = new FakeClock();
  const runtime = new FakeRuntime();
  const deps: NodeDeps = { client, clock, runtime: runtime.asRuntime(), hostInfo: fakeHostInfo, config: CONFIG, log: silentLog };
  await new NodeRegistrar(deps).register(AbortSignal.timeout(5000));
  client.calls.length = 0;
  return { client, clock, runtime, deps };
}

function ready(body: unknown): { status: string; reason: string; message: string } | undefined {
  const status = (body as { status: NodeStatus }).status;
  return status.conditions.find((c) => c.type === 'Ready');
}

describe('NodeStatusManager', () => {
  const signal = AbortSignal.timeout(10_000);

  test('patches the first time, then only on change or when the report frequency passed', async () => {
    const { client, clock, runtime, deps } = await setup();
    const m = new NodeStatusManager(deps);
    assert.equal(await m.sync(signal), 'patched');
    assert.equal(client.callsTo('get').length, 1, 'the Node is read once');
    assert.equal(client.callsTo('patch', STATUS)[0]?.patchType, 'strategic');

    clock.nowMs += 10_000;
    assert.equal(await m.sync(signal), 'unchanged');
    runtime.images = [...runtime.images, image('sha256:b', 5, ['nodelet.local/busybox:1.35'])];
    clock.nowMs += 10_000;
    assert.equal(await m.sync(signal), 'patched');
    clock.nowMs += 299_000;
    assert.equal(await m.sync(signal), 'unchanged');
    clock.nowMs += 1_000;
    assert.equal(await m.sync(signal), 'patched', 'heartbeat after nodeStatusReportFrequency');
    assert.equal(client.callsTo('patch', STATUS).length, 3);
    assert.equal(client.callsTo('get').length, 1);
  });

  test('runtime down: Ready False with KubeletNotReady, then back to True', async () => {
    const { client, clock, runtime, deps } = await setup();
    const m = new NodeStatusManager(deps);
    await m.sync(signal);
    runtime.down = true;
    clock.nowMs += 10_000;
    assert.equal(await m.sync(signal), 'patched');
    const down = client.callsTo('patch', STATUS).at(-1)?.body;
    assert.deepEqual({ ...ready(down) }, {
      type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down',
      lastHeartbeatTime: '2026-11-29T07:00:10Z', lastTransitionTime: '2026-11-29T07:00:10Z',
    });
    runtime.down = false;
    clock.nowMs += 10_000;
    await m.sync(signal);
    assert.equal(ready(client.callsTo('patch', STATUS).at(-1)?.body)?.status, 'True');
  });

  test('a failed patch re-reads the Node and retries', async () => {
    const { client, deps } = await setup();
    const m = new NodeStatusManager(deps);
    client.failures.patch = [new NodeletError(ErrorCode.Unavailable, 'reset')];
    assert.equal(await m.sync(signal), 'patched');
    assert.equal(client.callsTo('get').length, 2);
    assert.equal(client.callsTo('patch').length, 2);
  });

  test('gives up after 5 tries and the loop carries on', async () => {
    const { client, clock, deps } = await setup();
    const m = new NodeStatusManager(deps);
    const fail = (): NodeletError => new NodeletError(ErrorCode.Unavailable, 'reset');
    client.failures.patch = [fail(), fail(), fail(), fail(), fail()];
    await assert.rejects(m.sync(signal), /reset/);
    assert.equal(client.callsTo('patch').length, 5);

    const ac = new AbortController();
    clock.onSleep = () => {
      if (clock.sleeps.length >= 2) ac.abort();
    };
    client.failures.patch = [fail(), fail(), fail(), fail(), fail()];
    await m.start(ac.signal);
    assert.deepEqual(clock.sleeps, [10_000, 10_000]);
    assert.ok(m.status !== undefined, 'the second round patched');
  });

  test('dispose stops the loop', async () => {
    const { clock, deps } = await setup();
    const m = new NodeStatusManager(deps);
    clock.onSleep = () => m.dispose();
    await m.start(new AbortController().signal);
    assert.equal(clock.sleeps.length, 1);
  });
});
