import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { isNodeletError } from '../../../src/base/errors.js';
import { addProxyOptions } from '../../../src/proxy/command.js';
import { loadProxyConfig, parseDuration, parseProxyConfigFile } from '../../../src/proxy/config.js';

const HEAD = { apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration' };

function flags(argv: string[]): unknown {
  const cmd = addProxyOptions(new Command('proxy')).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts();
}

test('defaults are upstream kube-proxy\'s', async () => {
  const c = await loadProxyConfig(flags([]), { hostname: 'Node-A' });
  assert.equal(c.mode, 'iptables');
  assert.equal(c.nodeName, 'node-a');
  assert.equal(c.healthzBindAddress, '0.0.0.0:10256');
  assert.equal(c.metricsBindAddress, '127.0.0.1:10249');
  assert.equal(c.minSyncPeriodMs, 1000);
  assert.equal(c.syncPeriodMs, 30_000);
  assert.equal(c.bindAddress, '0.0.0.0');
  assert.equal(c.clusterCIDR, '');
  assert.equal(c.cleanup, false);
  assert.equal(c.kubeconfig, undefined);
  assert.ok(Object.isFrozen(c));
});

test('a config file sets fields; flags override it; the mode picks its sync periods', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'proxy-config-'));
  try {
    const file = path.join(dir, 'kube-proxy.yaml');
    await writeFile(
      file,
      [
        'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
        'kind: KubeProxyConfiguration',
        'mode: nftables',
        'clusterCIDR: 10.244.0.0/16,fd00:10:244::/56',
        'hostnameOverride: from-file',
        'healthzBindAddress: 127.0.0.1:20256',
        'clientConnection:',
        '  kubeconfig: /etc/kube/proxy.kubeconfig',
        '  qps: 5',
        'iptables:',
        '  minSyncPeriod: 2s',
        '  syncPeriod: 1m',
        'nftables:',
        '  minSyncPeriod: 500ms',
        '  syncPeriod: 45s',
        'conntrack:',
        '  maxPerCore: 32768',
        '  tcpEstablishedTimeout: 24h',
        'featureGates: {}',
      ].join('\n'),
    );
    const c = await loadProxyConfig(flags(['--config', file]), { hostname: 'h' });
    assert.equal(c.mode, 'nftables');
    assert.equal(c.minSyncPeriodMs, 500);
    assert.equal(c.syncPeriodMs, 45_000);
    assert.equal(c.clusterCIDR, '10.244.0.0/16');
    assert.equal(c.nodeName, 'from-file');
    assert.equal(c.kubeconfig, '/etc/kube/proxy.kubeconfig');
    assert.equal(c.healthzBindAddress, '127.0.0.1:20256');
    assert.deepEqual([...c.notApplied].sort(), ['clientConnection.qps', 'conntrack.maxPerCore', 'conntrack.tcpEstablishedTimeout', 'featureGates']);

    const o = await loadProxyConfig(flags(['--config', file, '--proxy-mode', 'iptables', '--hostname-override', 'Flag', '--healthz-bind-address', '127.0.0.1', '--metrics-bind-address', '', '--kubeconfig', '/k']));
    assert.equal(o.mode, 'iptables');
    assert.equal(o.minSyncPeriodMs, 2000);
    assert.equal(o.syncPeriodMs, 60_000);
    assert.equal(o.nodeName, 'flag');
    assert.equal(o.healthzBindAddress, '127.0.0.1:10256');
    assert.equal(o.metricsBindAddress, '');
    assert.equal(o.kubeconfig, '/k');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('unknown fields, wrong kinds, bad values are InvalidConfig', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ ...HEAD, modee: 'iptables' }, /unknown field "modee"/],
    [{ ...HEAD, iptables: { syncPeriodd: '1s' } }, /unknown field "iptables.syncPeriodd"/],
    [{ ...HEAD, conntrack: { max: 1 } }, /unknown field "conntrack.max"/],
    [{ ...HEAD, mode: 'ipvs' }, /proxy mode "ipvs" is not supported/],
    [{ ...HEAD, iptables: { syncPeriod: 'soon' } }, /iptables.syncPeriod "soon" is not a duration/],
    [{ ...HEAD, kind: 'KubeletConfiguration' }, /apiVersion must be/],
    ['just text', /expected a mapping/],
  ];
  for (const [doc, re] of bad) {
    assert.throws(() => parseProxyConfigFile(doc, 'f.yaml'), (e: unknown) => isNodeletError(e, 'InvalidConfig') && re.test(e.message), JSON.stringify(doc));
  }
});

test('bad flags are InvalidConfig', async () => {
  for (const argv of [
    ['--proxy-mode', 'userspace'],
    ['--iptables-min-sync-period', '1m', '--iptables-sync-period', '30s'],
    ['--iptables-sync-period', '0'],
    ['--cluster-cidr', '10.244.0.0'],
    ['--healthz-bind-address', 'nonsense'],
    ['--log-level', 'loud'],
    ['--config', '/nonexistent/kube-proxy.yaml'],
  ]) {
    await assert.rejects(loadProxyConfig(flags(argv), { hostname: 'h' }), (e: unknown) => isNodeletError(e, 'InvalidConfig'), argv.join(' '));
  }
  const c = await loadProxyConfig(flags(['--cleanup', '--nftables-sync-period', '10s', '--proxy-mode', 'nftables']), { hostname: 'h' });
  assert.equal(c.cleanup, true);
  assert.equal(c.syncPeriodMs, 10_000);
});

test('Go durations', () => {
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('1'), undefined);
  assert.equal(parseDuration(''), undefined);
});
