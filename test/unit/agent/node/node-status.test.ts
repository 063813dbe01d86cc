import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../../../src/api/object.js';
import {
  buildNodeStatus,
  formatBinarySI,
  initialNode,
  nodeImages,
  nodeLabels,
  nodeStatusChanged,
  rfc3339,
  rfc3339Micro,
  runtimeErrors,
  type NodeStatusInput,
  type RuntimeObservation,
} from '../../../../src/agent/node/node-status.js';
import { HOST, READY_STATUS, VERSION, image } from './fakes.js';

const T0 = Date.parse('2026-11-29T07:00:00Z');
const UP: RuntimeObservation = { up: true, version: VERSION, status: READY_STATUS, images: [] };
const DOWN: RuntimeObservation = { up: false, error: 'connect ENOENT' };

function input(over: Partial<NodeStatusInput> = {}): NodeStatusInput {
  return { nodeName: 'worker-1', maxPods: 110, maxImages: 50, host: HOST, runtime: UP, nowMs: T0, ...over };
}

function asNode(status: unknown): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'worker-1' }, status: JSON.parse(JSON.stringify(status)) as KubeObject['status'] };
}

describe('formats', () => {
  const cases: [number, string][] = [
    [0, '0'], [1000, '1000'], [1024, '1Ki'], [8202252288, '8010012Ki'], [104857600, '100Mi'], [17179869184, '16Gi'],
    [56403987978, '56403987978'], [-5, '0'],
  ];
  for (const [bytes, want] of cases) test(`formatBinarySI(${bytes})`, () => assert.equal(formatBinarySI(bytes), want));

  test('times', () => {
    assert.equal(rfc3339(T0 + 123), '2026-11-29T07:00:00Z');
    assert.equal(rfc3339Micro(T0), '2026-11-29T07:00:00.000000Z');
    assert.equal(rfc3339Micro(T0 + 123), '2026-11-29T07:00:00.123000Z');
  });
});

describe('buildNodeStatus', () => {
  test('a healthy node', () => {
    const s = buildNodeStatus(input());
    assert.deepEqual(s.capacity, { cpu: '4', 'ephemeral-storage': '61202244Ki', memory: '8010012Ki', pods: '110' });
    // Upstream's default hard eviction: memory.available 100Mi, nodefs.available 10%.
    assert.deepEqual(s.allocatable, { cpu: '4', 'ephemeral-storage': '56403988071', memory: '7907612Ki', pods: '110' });
    assert.deepEqual(s.addresses, [
      { type: 'InternalIP', address: '10.0.0.5' },
      { type: 'Hostname', address: 'worker-1' },
    ]);
    assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.deepEqual(s.nodeInfo, {
      machineID: 'abc123',
      systemUUID: 'ec2a-uuid',
      bootID: 'boot-1',
      kernelVersion: '6.1.0-18-amd64',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://1.6.20',
      kubeletVersion: 'v1.33.0-nodelet',
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: 'amd64',
    });
    const now = '2026-11-29T07:00:00Z';
    assert.deepEqual(s.conditions, [
      { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
      { type: 'DiskPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
      { type: 'PIDPressure', status: 'False', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
      { type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    ]);
  });

  test('no InternalIP when the host has none', () => {
    const s = buildNodeStatus(input({ host: { ...HOST, internalIP: undefined } }));
    assert.deepEqual(s.addresses, [{ type: 'Hostname', address: 'worker-1' }]);
  });

  test('runtime down: NotReady, images empty, runtime version kept from before', () => {
    const before = buildNodeStatus(input());
    const s = buildNodeStatus(input({ runtime: DOWN, nowMs: T0 + 10_000 }), asNode(before));
    const ready = s.conditions.find((c) => c.type === 'Ready');
    assert.deepEqual(ready, {
      type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime is down',
      lastHeartbeatTime: '2026-11-29T07:00:10Z', lastTransitionTime: '2026-11-29T07:00:10Z',
    });
    assert.equal(s.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20');
    assert.deepEqual(s.images, []);
    assert.equal(buildNodeStatus(input({ runtime: DOWN })).nodeInfo.containerRuntimeVersion, 'Unknown');
  });

  test('transition times stay while a status stays, heartbeats move', () => {
    const first = buildNodeStatus(input());
    const second = buildNodeStatus(input({ nowMs: T0 + 60_000 }), asNode(first));
    for (const c of second.conditions) {
      assert.equal(c.lastTransitionTime, '2026-11-29T07:00:00Z', c.type);
      assert.equal(c.lastHeartbeatTime, '2026-11-29T07:01:00Z', c.type);
    }
    assert.equal(nodeStatusChanged(first, second), false);
    const down = buildNodeStatus(input({ runtime: DOWN, nowMs: T0 + 120_000 }), asNode(second));
    assert.equal(nodeStatusChanged(second, down), true);
    assert.equal(down.conditions.find((c) => c.type === 'MemoryPressure')?.lastTransitionTime, '2026-11-29T07:00:00Z');
    const back = buildNodeStatus(input({ nowMs: T0 + 180_000 }), asNode(down));
    assert.equal(back.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime, '2026-11-29T07:03:00Z');
  });

  test('nodeStatusChanged sees other changes', () => {
    const a = buildNodeStatus(input());
    assert.equal(nodeStatusChanged(undefined, a), true);
    assert.equal(nodeStatusChanged(a, buildNodeStatus(input({ maxPods: 20 }))), true);
    assert.equal(nodeStatusChanged(a, buildNodeStatus(input({ runtime: { ...UP, images: [image('x', 1, ['x:1'])] } }))), true);
  });
});

describe('runtimeErrors', () => {
  test('ready runtime: none', () => assert.deepEqual(runtimeErrors(UP), []));
  test('down', () => assert.deepEqual(runtimeErrors(DOWN), ['container runtime is down']));
  test('network not ready, in upstream words', () => {
    const status = {
      ...READY_STATUS,
      conditions: [
        { type: 'RuntimeReady', status: true, reason: '', message: '' },
        { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' },
      ],
    };
    const errors = runtimeErrors({ ...UP, status });
    assert.deepEqual(errors, [
      'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    ]);
    const ready = buildNodeStatus(input({ runtime: { ...UP, status } })).conditions.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'KubeletNotReady');
    assert.equal(ready?.message, errors[0]);
  });
  test('runtime not ready and missing network condition', () => {
    const status = { ...READY_STATUS, conditions: [{ type: 'RuntimeReady', status: false, reason: 'Boom', message: 'bad' }] };
    assert.deepEqual(runtimeErrors({ ...UP, status }), [
      'container runtime not ready: RuntimeReady=false reason:Boom message:bad',
      'container runtime network not ready: NetworkReady condition not reported',
    ]);
  });
});

describe('images', () => {
  test('largest first, digests then tags, at most 5 names', () => {
    const imgs = [
      image('a', 10, ['a:1']),
      image('b', 30, ['b:1', 'b:2', 'b:3', 'b:4'], ['b@sha256:1', 'b@sha256:2']),
      image('c', 20, [], ['c@sha256:1']),
    ];
    assert.deepEqual(nodeImages(imgs, 50), [
      { names: ['b@sha256:1', 'b@sha256:2', 'b:1', 'b:2', 'b:3'], sizeBytes: 30 },
      { names: ['c@sha256:1'], sizeBytes: 20 },
      { names: ['a:1'], sizeBytes: 10 },
    ]);
    assert.equal(nodeImages(imgs, 2).length, 2);
    assert.equal(nodeImages(imgs, -1).length, 3);
  });
  test('at most 50 by default', () => {
    const many = Array.from({ length: 60 }, (_, i) => image(`i${i}`, i, [`i:${i}`]));
    const s = buildNodeStatus(input({ runtime: { ...UP, images: many } }));
    assert.equal(s.images.length, 50);
    assert.equal(s.images[0]?.sizeBytes, 59);
  });
});

describe('the Node object', () => {
  test('labels', () => {
    assert.deepEqual(nodeLabels('worker-1', HOST), {
      'kubernetes.io/hostname': 'worker-1',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': 'amd64',
    });
  });
  test('initialNode with and without a pod CIDR', () => {
    const status = buildNodeStatus(input());
    const n = initialNode('worker-1', '10.244.1.0/24', HOST, status);
    assert.equal(n.metadata.name, 'worker-1');
    assert.deepEqual(n.spec, { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    assert.deepEqual(n.status, status);
    assert.deepEqual(initialNode('worker-1', '', HOST, status).spec, {});
  });
});
