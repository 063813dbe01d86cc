import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { NodeLease, renewedLease } from '../../../../src/agent/node/lease.js';
import { FakeClock, FakeKubeClient, silentLog } from './fakes.js';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const LEASE = `${LEASES}/worker-1`;
const NODE = '/api/v1/nodes/worker-1';

function setup(opts: { node?: boolean; renewIntervalMs?: number } = {}): { client: FakeKubeClient; clock: FakeClock; lease: NodeLease } {
  const client = new FakeKubeClient();
  const clock = new FakeClock();
  if (opts.node !== false) {
    client.objects.set(NODE, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', uid: 'node-uid', resourceVersion: '1' } });
  }
  const lease = new NodeLease({
    client, clock, log: silentLog, config: { nodeName: 'worker-1', nodeLeaseDurationSeconds: 40 },
    ...(opts.renewIntervalMs === undefined ? {} : { renewIntervalMs: opts.renewIntervalMs }),
  });
  return { client, clock, lease };
}

function spec(o: KubeObject | undefined): Record<string, unknown> {
  return (o?.spec ?? {}) as Record<string, unknown>;
}

describe('NodeLease', () => {
  const signal = AbortSignal.timeout(10_000);

  test('creates the Lease held by the node, owned by the Node', async () => {
    const { client, lease } = setup();
    await lease.renewOnce(signal);
    const created = client.objects.get(LEASE);
    assert.equal(created?.metadata.namespace, 'kube-node-lease');
    assert.deepEqual(created?.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'worker-1', uid: 'node-uid' }]);
    assert.deepEqual(spec(created), { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: '2026-11-29T07:00:00.000000Z' });
  });

  test('without a Node the Lease has no owner until the Node exists', async () => {
    const { client, clock, lease } = setup({ node: false });
    await lease.renewOnce(signal);
    assert.equal(client.objects.get(LEASE)?.metadata.ownerReferences, undefined);
    client.objects.set(NODE, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1', uid: 'later', resourceVersion: '1' } });
    clock.nowMs += 10_000;
    await lease.renewOnce(signal);
    assert.equal(client.objects.get(LEASE)?.metadata.ownerReferences?.[0]?.uid, 'later');
  });

  test('renews by update with the resourceVersion read, advancing renewTime', async () => {
    const { client, clock, lease } = setup();
    await lease.renewOnce(signal);
    const rv = client.objects.get(LEASE)?.metadata.resourceVersion;
    clock.nowMs += 10_000;
    await lease.renewOnce(signal);
    const [update] = client.callsTo('update', LEASE);
    assert.equal((update?.body as KubeObject).metadata.resourceVersion, rv);
    assert.equal(spec(client.objects.get(LEASE)).renewTime, '2026-11-29T07:00:10.000000Z');
  });

  test('an existing Lease (a restart) is read, then updated', async () => {
    const { client, lease } = setup();
    client.objects.set(LEASE, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'worker-1', namespace: 'kube-node-lease', resourceVersion: '7' }, spec: { holderIdentity: 'worker-1', leaseDurationSeconds: 40, renewTime: '2020-01-01T00:00:00.000000Z' } });
    await lease.renewOnce(signal);
    assert.equal(client.callsTo('create').length, 0);
    assert.equal(spec(client.objects.get(LEASE)).renewTime, '2026-11-29T07:00:00.000000Z');
  });

  test('the loop renews every quarter of the duration; a Conflict re-reads and retries at once', async () => {
    const { client, clock, lease } = setup();
    const ac = new AbortController();
    clock.onSleep = () => {
      if (clock.sleeps.length === 1) client.touch(LEASE, (l) => (l.metadata.annotations = { other: 'writer' }));
      if (clock.sleeps.length >= 3) ac.abort();
    };
    await lease.start(ac.signal);
    assert.equal(lease.renewIntervalMs, 10_000);
    assert.deepEqual(clock.sleeps, [10_000, 10_000, 10_000]);
    // create; update (Conflict); get; update; update
    assert.deepEqual(client.calls.filter((c) => c.path.startsWith(LEASES)).map((c) => c.method), ['get', 'create', 'update', 'get', 'update', 'update']);
    assert.equal(spec(client.objects.get(LEASE)).renewTime, '2026-11-29T07:00:20.000000Z');
    assert.equal(client.objects.get(LEASE)?.metadata.annotations?.other, 'writer');
  });

  test('other errors back off from 200 ms and re-read the Lease', async () => {
    const { client, clock, lease } = setup({ renewIntervalMs: 1000 });
    const down = (): NodeletError => new NodeletError(ErrorCode.Unavailable, 'refused');
    client.failures.get = [down(), down(), down()];
    const ac = new AbortController();
    clock.onSleep = () => {
      if (clock.sleeps.length >= 4) ac.abort();
    };
    await lease.start(ac.signal);
    assert.deepEqual(clock.sleeps, [200, 400, 800, 1000]);
    assert.ok(client.objects.has(LEASE));
  });

  test('renewedLease keeps what others set', () => {
    const base: KubeObject = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n', resourceVersion: '3', ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u' }] }, spec: { leaseTransitions: 2 } };
    const l = renewedLease(base, { nodeName: 'n', durationSeconds: 40, nowMs: 0, owner: { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'other' } });
    assert.deepEqual(l.spec, { leaseTransitions: 2, holderIdentity: 'n', leaseDurationSeconds: 40, renewTime: '1970-01-01T00:00:00.000000Z' });
    assert.equal(l.metadata.ownerReferences?.[0]?.uid, 'u');
    assert.equal(l.metadata.resourceVersion, '3');
    assert.equal(base.spec && (base.spec as Record<string, unknown>).renewTime, undefined, 'the base is not modified');
  });
});
