import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ProxierHealth, splitHostPort, startHealthzServer } from '../../../src/proxy/healthz.js';
import { ProxyMetrics, startMetricsServer } from '../../../src/proxy/metrics.js';
import { isNodeletError } from '../../../src/base/errors.js';
import { ManualClock, silentLog } from './fakes.js';

function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }));
      })
      .on('error', reject);
  });
}

test('healthz answers 200 while nothing waits too long, 503 when a queued change is older than the timeout', async () => {
  const clock = new ManualClock();
  const health = new ProxierHealth({ clock, timeoutMs: 60_000 });
  const server = await startHealthzServer({ bindAddress: '127.0.0.1:0', health, log: silentLog });
  try {
    let r = await get(server.port, '/healthz');
    assert.equal(r.status, 200);
    const body: unknown = JSON.parse(r.body);
    assert.deepEqual(body, { lastUpdated: new Date(clock.nowMs).toISOString(), currentTime: new Date(clock.nowMs).toISOString(), nodeEligible: true });
    health.queued();
    clock.nowMs += 59_999;
    assert.equal((await get(server.port, '/healthz')).status, 200);
    clock.nowMs += 1;
    assert.equal((await get(server.port, '/healthz')).status, 503);
    assert.equal((await get(server.port, '/livez')).status, 503);
    health.updated();
    r = await get(server.port, '/livez');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/json');
    assert.equal((await get(server.port, '/other')).status, 404);
  } finally {
    await server.dispose();
  }
});

test('metrics: upstream names in Prometheus text on /metrics, mode on /proxyMode', async () => {
  const metrics = new ProxyMetrics('nftables');
  metrics.syncDuration.observe(0.003);
  metrics.networkProgramming.observe(1.5);
  metrics.lastTimestamp.set(1700000000.5);
  metrics.restoreFailures.inc();
  const server = await startMetricsServer({ bindAddress: '127.0.0.1:0', metrics, mode: 'nftables', log: silentLog });
  try {
    const r = await get(server.port, '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.body, /^# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram$/m);
    assert.match(r.body, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="0.002"\} 0$/m);
    assert.match(r.body, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="0.004"\} 1$/m);
    assert.match(r.body, /^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="\+Inf"\} 1$/m);
    assert.match(r.body, /^kubeproxy_sync_proxy_rules_duration_seconds_count 1$/m);
    assert.match(r.body, /^kubeproxy_network_programming_duration_seconds_bucket\{le="1"\} 0$/m);
    assert.match(r.body, /^kubeproxy_network_programming_duration_seconds_bucket\{le="2"\} 1$/m);
    assert.match(r.body, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds 1700000000.5$/m);
    assert.match(r.body, /^kubeproxy_sync_proxy_rules_nftables_sync_failures_total 1$/m);
    assert.equal((await get(server.port, '/proxyMode')).body, 'nftables');
  } finally {
    await server.dispose();
  }
});

test('bind addresses are host:port', () => {
  assert.deepEqual(splitHostPort('0.0.0.0:10256', 'x'), { host: '0.0.0.0', port: 10256 });
  assert.deepEqual(splitHostPort('[::]:10256', 'x'), { host: '::', port: 10256 });
  assert.throws(() => splitHostPort('10256', 'x'), (e: unknown) => isNodeletError(e, 'InvalidConfig'));
  assert.throws(() => splitHostPort('h:99999', 'x'), (e: unknown) => isNodeletError(e, 'InvalidConfig'));
});
