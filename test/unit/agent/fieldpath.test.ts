import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveFieldRef, resolveResourceFieldRef } from '../../../src/agent/fieldpath.js';
import type { Pod } from '../../../src/api/pod-types.js';
import { isNodeletError } from '../../../src/base/errors.js';

function pod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web',
      namespace: 'ns1',
      uid: 'u-1',
      labels: { b: '2', a: '1' },
      annotations: { 'x/y': 'say "hi"' },
    },
    spec: {
      nodeName: 'node-a',
      serviceAccountName: 'sa',
      containers: [
        { name: 'app', image: 'i', resources: { limits: { cpu: '1500m', memory: '128Mi' }, requests: { cpu: '250m' } } },
        { name: 'bare', image: 'i' },
        { name: 'limited', image: 'i', resources: { limits: { cpu: '2', memory: '1Gi', 'ephemeral-storage': '1G' } } },
      ],
      initContainers: [{ name: 'init', image: 'i', resources: { requests: { memory: '10Mi' } } }],
    },
    status: { podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.9' }, { ip: 'fd00::9' }], hostIP: '192.168.1.1' },
  };
}

// Upstream: kubelet_pods.go podFieldSelectorRuntimeValue and fieldpath.ExtractFieldPathAsString.
test('resolveFieldRef: supported paths (podFieldSelectorRuntimeValue)', () => {
  const ctx = { hostIP: '10.1.1.1', podIPs: ['10.244.0.5', 'fd00::5'], nodeName: 'ctx-node' };
  const cases: Array<[string, string]> = [
    ['metadata.name', 'web'],
    ['metadata.namespace', 'ns1'],
    ['metadata.uid', 'u-1'],
    ["metadata.labels['a']", '1'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['x/y']", 'say "hi"'],
    ['metadata.labels', 'a="1"\nb="2"'],
    ['metadata.annotations', 'x/y="say \\"hi\\""'],
    ['spec.nodeName', 'node-a'],
    ['spec.serviceAccountName', 'sa'],
    ['status.hostIP', '10.1.1.1'],
    ['status.hostIPs', '10.1.1.1'],
    ['status.podIP', '10.244.0.5'],
    ['status.podIPs', '10.244.0.5,fd00::5'],
  ];
  for (const [path, want] of cases) assert.equal(resolveFieldRef(pod(), path, ctx), want, path);
});

test('resolveFieldRef: falls back to the pod status and the context node name', () => {
  const p = pod();
  delete p.spec.nodeName;
  assert.equal(resolveFieldRef(p, 'spec.nodeName', { nodeName: 'ctx-node' }), 'ctx-node');
  assert.equal(resolveFieldRef(p, 'status.podIPs', {}), '10.0.0.9,fd00::9');
  assert.equal(resolveFieldRef(p, 'status.hostIP', {}), '192.168.1.1');
  assert.equal(resolveFieldRef(p, 'status.hostIPs', { hostIPs: ['1.1.1.1', 'fe80::1'] }), '1.1.1.1,fe80::1');
});

test('resolveFieldRef: unsupported paths are InvalidArgument (ExtractFieldPathAsString)', () => {
  for (const path of ['spec.containers', 'metadata.generateName', "spec.nodeName['x']", "['a']", 'status.phase']) {
    assert.throws(() => resolveFieldRef(pod(), path, {}), (e) => isNodeletError(e, 'InvalidArgument'), path);
  }
});

// Upstream: resource.ExtractContainerResourceValue, convertResourceCPUToString (ceil of milli /
// divisor milli), convertResourceMemoryToString (ceil of value / divisor value), and kubelet's
// defaultPodLimitsForDownwardAPI (unset limits = node allocatable).
test('resolveResourceFieldRef: values, divisors and rounding (ExtractContainerResourceValue)', () => {
  const alloc = { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi' };
  const cases: Array<[string, { resource: string; divisor?: string; containerName?: string }, string]> = [
    ['app', { resource: 'limits.cpu' }, '2'],
    ['app', { resource: 'limits.cpu', divisor: '1m' }, '1500'],
    ['app', { resource: 'limits.cpu', divisor: '0' }, '2'],
    ['app', { resource: 'requests.cpu' }, '1'],
    ['app', { resource: 'requests.cpu', divisor: '1m' }, '250'],
    ['app', { resource: 'limits.memory' }, '134217728'],
    ['app', { resource: 'limits.memory', divisor: '1Mi' }, '128'],
    ['app', { resource: 'limits.memory', divisor: '1G' }, '1'],
    ['app', { resource: 'requests.memory' }, '134217728'],
    ['bare', { resource: 'limits.cpu' }, '4'],
    ['bare', { resource: 'limits.memory', divisor: '1Gi' }, '8'],
    ['bare', { resource: 'limits.ephemeral-storage', divisor: '1Gi' }, '100'],
    ['bare', { resource: 'requests.cpu' }, '0'],
    ['bare', { resource: 'requests.memory' }, '0'],
    ['limited', { resource: 'requests.ephemeral-storage', divisor: '1M' }, '1000'],
    ['bare', { resource: 'limits.cpu', containerName: 'limited', divisor: '1m' }, '2000'],
    ['bare', { resource: 'requests.memory', containerName: 'init', divisor: '1Mi' }, '10'],
  ];
  for (const [container, sel, want] of cases) {
    assert.equal(resolveResourceFieldRef(pod(), container, sel, alloc), want, `${container} ${JSON.stringify(sel)}`);
  }
});

test('resolveResourceFieldRef: unknown resources or containers are InvalidArgument', () => {
  const alloc = { cpu: '4', memory: '8Gi' };
  for (const [c, r] of [['app', 'limits.gpu'], ['app', 'cpu'], ['app', 'foo.cpu'], ['nope', 'limits.cpu']] as const) {
    assert.throws(() => resolveResourceFieldRef(pod(), c, { resource: r }, alloc), (e) => isNodeletError(e, 'InvalidArgument'));
  }
});
