import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { isNodeletError, ErrorCode } from '../../../../src/base/errors.js';
import { addAgentOptions, loadAgentConfig, parseGoDuration, type AgentConfigEnv } from '../../../../src/agent/config/index.js';

const env: AgentConfigEnv = { hostname: () => 'Worker-1', isTTY: false, cwd: '/srv' };

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nodelet-agent-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function configFile(text: string, ext = 'yaml'): Promise<string> {
  const file = path.join(dir, `config-${n++}.${ext}`);
  await writeFile(file, text);
  return file;
}

function parseArgs(args: string[]): unknown {
  const cmd = addAgentOptions(new Command('agent').exitOverride());
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
}

const HEADER = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

async function rejectsInvalid(p: Promise<unknown>, ...parts: string[]): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isNodeletError(err, ErrorCode.InvalidConfig), `expected InvalidConfig, got ${String(err)}`);
    for (const part of parts) assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(part)}`);
    return true;
  });
}

describe('parseGoDuration', () => {
  const cases: [string, number | undefined][] = [
    ['20s', 20_000], ['1m', 60_000], ['1m30s', 90_000], ['5m', 300_000], ['1.5h', 5_400_000], ['300ms', 300],
    ['0', 0], ['2h45m', 9_900_000], ['1us', 0.001], ['-1s', -1000],
    ['', undefined], ['10', undefined], ['s', undefined], ['1d', undefined], ['1m x', undefined], ['abc', undefined],
  ];
  for (const [text, want] of cases) {
    test(JSON.stringify(text), () => assert.equal(parseGoDuration(text), want));
  }
});

describe('loadAgentConfig', () => {
  test('defaults without flags or file', async () => {
    const c = await loadAgentConfig(parseArgs([]), env);
    assert.equal(c.nodeName, 'worker-1');
    assert.equal(c.nodeIP, undefined);
    assert.equal(c.kubeconfig, undefined);
    assert.equal(c.rootDir, '/var/lib/nodelet');
    assert.equal(c.podLogsDir, '/var/log/pods');
    assert.equal(c.runtimeEndpoint, 'unix:///run/containerd/containerd.sock');
    assert.equal(c.staticPodPath, '');
    assert.equal(c.fileCheckFrequencyMs, 20_000);
    assert.equal(c.syncFrequencyMs, 60_000);
    assert.equal(c.nodeStatusUpdateFrequencyMs, 10_000);
    assert.equal(c.nodeStatusReportFrequencyMs, 300_000);
    assert.equal(c.nodeLeaseDurationSeconds, 40);
    assert.equal(c.clusterDomain, '');
    assert.deepEqual(c.clusterDNS, []);
    assert.equal(c.maxPods, 110);
    assert.equal(c.nodeStatusMaxImages, 50);
    assert.equal(c.registerNode, true);
    assert.equal(c.podCIDR, '');
    assert.equal(c.maxContainerRestartPeriodMs, 300_000);
    assert.equal(c.logFormat, 'json');
    assert.equal(c.logLevel, 'info');
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.clusterDNS));
  });

  test('the file sets every supported field (YAML)', async () => {
    const file = await configFile(`${HEADER}
staticPodPath: /etc/kubernetes/manifests
podLogsDir: /data/pods
containerRuntimeEndpoint: unix:///run/cri.sock
fileCheckFrequency: 5s
syncFrequency: 1m30s
nodeStatusUpdateFrequency: 4s
nodeStatusReportFrequency: 1m
nodeLeaseDurationSeconds: 20
clusterDNS: [10.96.0.10, "fd00::a"]
clusterDomain: cluster.local
maxPods: 50
nodeStatusMaxImages: -1
registerNode: false
podCIDR: 10.244.1.0/24
crashLoopBackOff:
  maxContainerRestartPeriod: 30s
authentication:
  anonymous: { enabled: false }
cgroupDriver: cgroupfs
`);
    const c = await loadAgentConfig({ config: file }, env);
    assert.equal(c.configFile, file);
    assert.equal(c.staticPodPath, '/etc/kubernetes/manifests');
    assert.equal(c.podLogsDir, '/data/pods');
    assert.equal(c.runtimeEndpoint, 'unix:///run/cri.sock');
    assert.equal(c.fileCheckFrequencyMs, 5000);
    assert.equal(c.syncFrequencyMs, 90_000);
    assert.equal(c.nodeStatusUpdateFrequencyMs, 4000);
    assert.equal(c.nodeStatusReportFrequencyMs, 60_000);
    assert.equal(c.nodeLeaseDurationSeconds, 20);
    assert.deepEqual(c.clusterDNS, ['10.96.0.10', 'fd00::a']);
    assert.equal(c.clusterDomain, 'cluster.local');
    assert.equal(c.maxPods, 50);
    assert.equal(c.nodeStatusMaxImages, -1);
    assert.equal(c.registerNode, false);
    assert.equal(c.podCIDR, '10.244.1.0/24');
    assert.equal(c.maxContainerRestartPeriodMs, 30_000);
    assert.deepEqual(c.ignoredConfigFields, ['authentication', 'cgroupDriver']);
  });

  test('a JSON file works and an explicit update frequency becomes the report frequency', async () => {
    const file = await configFile(
      JSON.stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', nodeStatusUpdateFrequency: '20s' }),
      'json',
    );
    const c = await loadAgentConfig({ config: file }, env);
    assert.equal(c.nodeStatusUpdateFrequencyMs, 20_000);
    assert.equal(c.nodeStatusReportFrequencyMs, 20_000);
  });

  test('flags override the file', async () => {
    const file = await configFile(`${HEADER}staticPodPath: /a\npodLogsDir: /b\ncontainerRuntimeEndpoint: unix:///c.sock\nregisterNode: true\n`);
    const c = await loadAgentConfig(
      parseArgs([
        '--config', file, '--kubeconfig', 'kc.yaml', '--hostname-override', 'Node-A', '--node-ip', '10.0.0.5',
        '--root-dir', '/tmp/root', '--container-runtime-endpoint', '/run/other.sock', '--pod-manifest-path', 'manifests',
        '--pod-logs-dir', '/logs', '--register-node=false', '--log-format', 'text', '--log-level', 'debug',
      ]),
      env,
    );
    assert.equal(c.nodeName, 'node-a');
    assert.equal(c.nodeIP, '10.0.0.5');
    assert.equal(c.kubeconfig, '/srv/kc.yaml');
    assert.equal(c.rootDir, '/tmp/root');
    assert.equal(c.runtimeEndpoint, '/run/other.sock');
    assert.equal(c.staticPodPath, '/srv/manifests');
    assert.equal(c.podLogsDir, '/logs');
    assert.equal(c.registerNode, false);
    assert.equal(c.logFormat, 'text');
    assert.equal(c.logLevel, 'debug');
  });

  test('a bare --register-node is true', async () => {
    const file = await configFile(`${HEADER}registerNode: false\n`);
    const c = await loadAgentConfig(parseArgs(['--config', file, '--register-node']), env);
    assert.equal(c.registerNode, true);
  });

  const fileErrors: [string, string, string[]][] = [
    ['wrong apiVersion', 'apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\n', ['apiVersion']],
    ['wrong kind', 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeProxyConfiguration\n', ['kind']],
    ['not an object', '- a\n- b\n', ['KubeletConfiguration']],
    ['unknown field', `${HEADER}maxPodz: 3\n`, ['maxPodz', 'unknown field']],
    ['unknown nested field', `${HEADER}crashLoopBackOff: { maxRestart: 1s }\n`, ['crashLoopBackOff.maxRestart']],
    ['bad duration', `${HEADER}syncFrequency: 10\n`, ['syncFrequency', 'duration']],
    ['bad duration text', `${HEADER}fileCheckFrequency: 3 days\n`, ['fileCheckFrequency']],
    ['negative duration', `${HEADER}nodeStatusUpdateFrequency: -10s\n`, ['nodeStatusUpdateFrequency', 'negative']],
    ['negative maxPods', `${HEADER}maxPods: -1\n`, ['maxPods', 'negative']],
    ['fractional maxPods', `${HEADER}maxPods: 1.5\n`, ['maxPods', 'integer']],
    ['zero lease duration', `${HEADER}nodeLeaseDurationSeconds: 0\n`, ['nodeLeaseDurationSeconds']],
    ['bad clusterDNS IP', `${HEADER}clusterDNS: [10.96.0.10, 10.96.0.300]\n`, ['clusterDNS[1]', '10.96.0.300']],
    ['clusterDNS not a list', `${HEADER}clusterDNS: 10.96.0.10\n`, ['clusterDNS']],
    ['bad podCIDR', `${HEADER}podCIDR: 10.244.0.0/33\n`, ['podCIDR']],
    ['registerNode not a bool', `${HEADER}registerNode: "yes"\n`, ['registerNode']],
    ['string field of another type', `${HEADER}staticPodPath: 3\n`, ['staticPodPath']],
    ['restart period out of range', `${HEADER}crashLoopBackOff: { maxContainerRestartPeriod: 10m }\n`, ['maxContainerRestartPeriod', '300s']],
    ['bad runtime endpoint', `${HEADER}containerRuntimeEndpoint: tcp://1.2.3.4:5\n`, ['containerRuntimeEndpoint']],
    ['invalid YAML', `${HEADER}a: [\n`, ['YAML']],
  ];
  for (const [name, text, parts] of fileErrors) {
    test(`file error: ${name}`, async () => {
      const file = await configFile(text);
      await rejectsInvalid(loadAgentConfig({ config: file }, env), file, ...parts);
    });
  }

  test('a missing file', async () => {
    await rejectsInvalid(loadAgentConfig({ config: path.join(dir, 'nope.yaml') }, env), 'nope.yaml');
  });

  const flagErrors: [string, Record<string, unknown>, string[], AgentConfigEnv?][] = [
    ['bad node IP', { nodeIp: '10.0.0' }, ['--node-ip']],
    ['bad hostname override', { hostnameOverride: 'bad_name' }, ['--hostname-override', 'bad_name']],
    ['bad host name', {}, ['host name'], { ...env, hostname: () => 'under_score' }],
    ['bad runtime endpoint', { containerRuntimeEndpoint: 'relative.sock' }, ['--container-runtime-endpoint']],
    ['bad log format', { logFormat: 'xml' }, ['--log-format']],
    ['bad log level', { logLevel: 'loud' }, ['--log-level']],
    ['bad register-node', { registerNode: 'maybe' }, ['--register-node']],
    ['flag of another type', { rootDir: 5 }, ['--root-dir']],
  ];
  for (const [name, flags, parts, e] of flagErrors) {
    test(`flag error: ${name}`, async () => {
      await rejectsInvalid(loadAgentConfig(flags, e ?? env), ...parts);
    });
  }
});
