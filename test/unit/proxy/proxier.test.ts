import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeletError } from '../../../src/base/errors.js';
import { ProxierHealth } from '../../../src/proxy/healthz.js';
import { ProxyMetrics } from '../../../src/proxy/metrics.js';
import { CANARY_CHECK_MS, Proxier } from '../../../src/proxy/proxier.js';
import { ProxyTracker } from '../../../src/proxy/tracker/tracker.js';
import { FakeBackend, ManualClock, RecordingExec, flush, sep, silentLog, slice, svcPort, trackedService } from './fakes.js';

const MIN = 1000;
const PERIOD = 30_000;

function setup() {
  const clock = new ManualClock();
  const backend = new FakeBackend();
  const exec = new RecordingExec();
  const metrics = new ProxyMetrics('iptables');
  const health = new ProxierHealth({ clock, timeoutMs: 2 * PERIOD });
  const tracker = new ProxyTracker({ nodeName: 'me', onChange: () => proxier.requestSync() });
  const proxier = new Proxier({ backend, exec, clock, log: silentLog, metrics, source: tracker, health }, { nodeIPs: ['192.168.1.2'], clusterCIDR: '10.244.0.0/16', minSyncPeriodMs: MIN, syncPeriodMs: PERIOD });
  return { clock, backend, exec, metrics, health, tracker, proxier };
}

const changedOf = (b: FakeBackend): Array<string[] | 'full'> => b.plans.map((p) => (p.changed === undefined ? 'full' : [...p.changed]));

test('first sync is full; later changes coalesce into one partial sync per minSyncPeriod', async () => {
  const { clock, backend, tracker, proxier, metrics } = setup();
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  tracker.serviceUpserted(trackedService('b', [svcPort({ name: 'b', clusterIP: '10.96.0.11' })]));
  proxier.start();
  await clock.advance(0);
  assert.deepEqual(changedOf(backend), ['full']);
  assert.equal(backend.plans[0]?.services.length, 2);

  // two changes right after the sync: one sync, after minSyncPeriod, naming both keys
  tracker.sliceUpserted(slice('a', 'a-1', [sep('10.0.0.1')]));
  tracker.sliceUpserted(slice('b', 'b-1', [sep('10.0.0.2')]));
  await clock.advance(MIN - 1);
  assert.equal(backend.plans.length, 1);
  await clock.advance(1);
  assert.deepEqual(changedOf(backend), ['full', ['default/a:http/tcp', 'default/b:http/tcp']]);
  assert.equal(backend.applied.length, 2);

  // a change long after the last sync is synced at once, only that key
  await clock.advance(5000);
  tracker.sliceUpserted(slice('a', 'a-1', [sep('10.0.0.1'), sep('10.0.0.3')]));
  await clock.advance(0);
  assert.deepEqual(changedOf(backend).at(-1), ['default/a:http/tcp']);
  assert.equal(backend.plans.at(-1)?.services.find((s) => s.svc.key.name === 'a')?.allEndpoints.length, 2);
  assert.equal(metrics.syncDuration.getCount(), 3);
  assert.equal(metrics.syncPartialDuration.getCount(), 2);
  // Within CANARY_CHECK_MS of the full sync, partial syncs do not look for the canary.
  assert.equal(backend.canaryChecks, 0);
  await proxier.dispose();
});

test('a change undone before the sync syncs nothing for it', async () => {
  const { clock, backend, tracker, proxier } = setup();
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  proxier.start();
  await clock.advance(0);
  tracker.sliceUpserted(slice('a', 'a-1', [sep('10.0.0.1')]));
  tracker.sliceDeleted(slice('a', 'a-1', []));
  await clock.advance(MIN);
  assert.deepEqual(changedOf(backend), ['full']);
  await proxier.dispose();
});

test('a full sync runs at least every syncPeriod without changes', async () => {
  const { clock, backend, proxier, metrics } = setup();
  proxier.start();
  await clock.advance(0);
  await clock.advance(PERIOD - 1);
  assert.equal(backend.plans.length, 1);
  await clock.advance(1);
  assert.deepEqual(changedOf(backend), ['full', 'full']);
  await clock.advance(PERIOD);
  assert.equal(metrics.syncFullDuration.getCount(), 3);
  await proxier.dispose();
});

test('partial syncs do not postpone the periodic full sync', async () => {
  const { clock, backend, tracker, proxier } = setup();
  proxier.start();
  await clock.advance(0);
  await clock.advance(PERIOD - 2 * MIN);
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  await clock.advance(0);
  assert.deepEqual(changedOf(backend), ['full', ['default/a:http/tcp']]);
  await clock.advance(2 * MIN - 1);
  assert.equal(backend.plans.length, 2);
  await clock.advance(1);
  assert.deepEqual(changedOf(backend).at(-1), 'full');
  await proxier.dispose();
});

test('a failed apply makes the next sync full and retries it with back-off', async () => {
  const { clock, backend, tracker, proxier, metrics } = setup();
  proxier.start();
  await clock.advance(0);
  backend.failures = [new NodeletError('ExecFailed', 'iptables-restore: exit 1'), new NodeletError('ExecFailed', 'iptables-restore: exit 1')];
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  await clock.advance(MIN);
  assert.deepEqual(changedOf(backend), ['full', ['default/a:http/tcp']]);
  assert.equal(metrics.restoreFailures.get(), 1);
  // retry after minSyncPeriod (back-off 1 s), full, fails again
  await clock.advance(MIN);
  assert.deepEqual(changedOf(backend).slice(2), ['full']);
  // the next retry waits twice as long
  await clock.advance(2 * MIN - 1);
  assert.equal(backend.plans.length, 3);
  await clock.advance(1);
  assert.deepEqual(changedOf(backend).slice(3), ['full']);
  assert.equal(backend.applied.length, 2);
  assert.equal(metrics.restoreFailures.get(), 2);
  // after success, partial again
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a', port: 81 })]));
  await clock.advance(MIN);
  assert.deepEqual(changedOf(backend).at(-1), ['default/a:http/tcp']);
  await proxier.dispose();
});

test('a partial sync looks for the canary at most every CANARY_CHECK_MS; a missing one makes it full', async () => {
  const { clock, backend, tracker, proxier } = setup();
  proxier.start();
  await clock.advance(0);
  backend.canary = false;
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  await clock.advance(MIN);
  // Just after a full sync: not checked, partial.
  assert.deepEqual(changedOf(backend), ['full', ['default/a:http/tcp']]);
  assert.equal(backend.canaryChecks, 0);
  await clock.advance(CANARY_CHECK_MS);
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a', port: 81 })]));
  await clock.advance(0);
  assert.equal(backend.canaryChecks, 1);
  assert.deepEqual(changedOf(backend).at(-1), 'full');
  await proxier.dispose();
});

test('UDP endpoint removal deletes its conntrack entries after a successful sync only', async () => {
  const { clock, backend, exec, tracker, proxier } = setup();
  const dns = svcPort({ name: 'dns', portName: 'dns', protocol: 'UDP', port: 53, nodePort: 30053, type: 'NodePort' });
  const ports = [{ name: 'dns', protocol: 'UDP' as const, port: 5353 }];
  tracker.serviceUpserted(trackedService('dns', [dns]));
  tracker.sliceUpserted(slice('dns', 'dns-1', [sep('10.0.0.1'), sep('10.0.0.2')], ports));
  proxier.start();
  await clock.advance(0);
  // first endpoints of a UDP service: entries to the service IP and nodePort are cleared
  assert.deepEqual(exec.calls.map((c) => c.args.join(' ')), ['-D --orig-dst 10.96.0.10 -p udp', '-D -p udp --dport 30053']);
  exec.calls.length = 0;

  backend.failures = [new NodeletError('ExecFailed', 'boom')];
  tracker.sliceUpserted(slice('dns', 'dns-1', [sep('10.0.0.2')], ports));
  await clock.advance(MIN);
  assert.equal(exec.calls.length, 0);
  await clock.advance(MIN);
  assert.deepEqual(
    exec.calls.map((c) => `${c.file} ${c.args.join(' ')}`),
    ['conntrack -D -p udp --dport 30053 --dst-nat 10.0.0.1', 'conntrack -D --orig-dst 10.96.0.10 --dst-nat 10.0.0.1 -p udp'],
  );
  await proxier.dispose();
});

test('health: queued changes not synced within the timeout are unhealthy; a sync makes it healthy', async () => {
  const { clock, backend, tracker, proxier, health } = setup();
  proxier.start();
  await clock.advance(0);
  assert.equal(health.status().healthy, true);
  backend.failures = Array.from({ length: 100 }, () => new Error('restore failed'));
  tracker.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  await clock.advance(2 * PERIOD + 1);
  assert.equal(health.status().healthy, false);
  backend.failures = [];
  await clock.advance(PERIOD);
  assert.equal(health.status().healthy, true);
  await proxier.dispose();
});

test('dispose stops the loop: no syncs after it', async () => {
  const { clock, backend, proxier } = setup();
  proxier.start();
  await clock.advance(0);
  await proxier.dispose();
  await clock.advance(10 * PERIOD);
  await flush();
  assert.equal(backend.plans.length, 1);
  assert.equal(clock.pendingTimers(), 0);
});
