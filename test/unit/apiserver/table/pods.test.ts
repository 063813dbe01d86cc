import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from '../../../../src/apiserver/table/index.js';
import type { JsonObject, JsonValue, KubeObject } from '../../../../src/api/object.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();

function podWith(spec: JsonObject, status: JsonObject, metadata: JsonObject = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(5 * 60_000), ...metadata },
    spec: { containers: [{ name: 'a', image: 'x' }], ...spec },
    status,
  } as unknown as KubeObject;
}

function row(p: KubeObject): JsonObject {
  const table = toTable('pods', [p], { includeObject: 'None', now: NOW });
  return (table['rows'] as JsonObject[])[0] ?? {};
}

function cells(p: KubeObject): JsonValue[] {
  return row(p)['cells'] as JsonValue[];
}

const running = { ready: true, restartCount: 0, state: { running: { startedAt: ago(60_000) } } };

test('pod columns match kube-apiserver (wide ones at priority 1)', () => {
  const table = toTable('pods', [], { includeObject: 'Metadata', now: NOW, resourceVersion: '42' });
  assert.equal(table['kind'], 'Table');
  assert.equal(table['apiVersion'], 'meta.k8s.io/v1');
  assert.deepEqual(table['metadata'], { resourceVersion: '42' });
  const cols = (table['columnDefinitions'] as JsonObject[]).map((c) => [c['name'], c['type'], c['format'], c['priority']]);
  assert.deepEqual(cols, [
    ['Name', 'string', 'name', 0],
    ['Ready', 'string', '', 0],
    ['Status', 'string', '', 0],
    ['Restarts', 'string', '', 0],
    ['Age', 'string', '', 0],
    ['IP', 'string', '', 1],
    ['Node', 'string', '', 1],
    ['Nominated Node', 'string', '', 1],
    ['Readiness Gates', 'string', '', 1],
  ]);
  assert.deepEqual(table['rows'], []);
});

test('pod READY, STATUS and RESTARTS follow printPod', () => {
  const cases: Array<[string, KubeObject, [string, string, string]]> = [
    ['pending, unscheduled', podWith({}, { phase: 'Pending' }), ['0/1', 'Pending', '0']],
    ['running and ready', podWith({}, { phase: 'Running', containerStatuses: [running] }), ['1/1', 'Running', '0']],
    ['creating', podWith({}, { phase: 'Pending', containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }), ['0/1', 'ContainerCreating', '0']],
    [
      'crash looping, last restart 3m ago',
      podWith({}, { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * 60_000) } } }] }),
      ['0/1', 'CrashLoopBackOff', '5 (3m ago)'],
    ],
    ['completed', podWith({}, { phase: 'Succeeded', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), ['0/1', 'Completed', '0']],
    ['exit code without reason', podWith({}, { phase: 'Failed', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] }), ['0/1', 'ExitCode:2', '0']],
    ['killed by a signal', podWith({}, { phase: 'Failed', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] }), ['0/1', 'Signal:9', '0']],
    ['evicted', podWith({}, { phase: 'Failed', reason: 'Evicted' }), ['0/1', 'Evicted', '0']],
    [
      'second of two init containers running',
      podWith(
        { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] },
        {
          phase: 'Pending',
          initContainerStatuses: [
            { name: 'i1', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'i2', ready: false, restartCount: 0, state: { running: {} } },
          ],
          containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
        },
      ),
      ['0/1', 'Init:1/2', '0'],
    ],
    [
      'init container crash looping',
      podWith({ initContainers: [{ name: 'i1', image: 'x' }] }, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }),
      ['0/1', 'Init:CrashLoopBackOff', '3'],
    ],
    [
      'init container failed',
      podWith({ initContainers: [{ name: 'i1', image: 'x' }] }, { phase: 'Failed', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] }),
      ['0/1', 'Init:Error', '0'],
    ],
    ['terminating', podWith({}, { phase: 'Running', containerStatuses: [running] }, { deletionTimestamp: ago(0) }), ['1/1', 'Terminating', '0']],
    ['terminating after success keeps the reason', podWith({}, { phase: 'Succeeded', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, { deletionTimestamp: ago(0) }), ['0/1', 'Completed', '0']],
    ['node lost', podWith({}, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(0) }), ['0/1', 'Unknown', '0']],
    [
      'one container completed, the other running and the pod ready',
      podWith(
        { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] },
        { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running, { ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      ),
      ['1/2', 'Running', '0'],
    ],
    [
      'one container completed, the other running, pod not ready',
      podWith(
        { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] },
        { phase: 'Running', containerStatuses: [running, { ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      ),
      ['1/2', 'NotReady', '0'],
    ],
    ['scheduling gated', podWith({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), ['0/1', 'SchedulingGated', '0']],
    [
      'a started sidecar counts as a container',
      podWith(
        { initContainers: [{ name: 'proxy', image: 'x', restartPolicy: 'Always' }] },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30_000) } } }],
          containerStatuses: [running],
        },
      ),
      ['2/2', 'Running', '1 (30s ago)'],
    ],
  ];
  for (const [name, p, [ready, status, restarts]] of cases) {
    const c = cells(p);
    assert.deepEqual([c[1], c[2], c[3]], [ready, status, restarts], name);
    assert.equal(c[0], 'p');
    assert.equal(c[4], '5m', name);
  }
});

test('wide pod cells and row conditions', () => {
  const p = podWith(
    { nodeName: 'n1', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
    { phase: 'Running', podIPs: [{ ip: '10.244.0.7' }], conditions: [{ type: 'example.com/lb', status: 'True' }], containerStatuses: [running] },
  );
  assert.deepEqual(cells(p).slice(5), ['10.244.0.7', 'n1', '<none>', '1/2']);
  assert.deepEqual(cells(podWith({}, { phase: 'Pending' })).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  assert.deepEqual(row(podWith({}, { phase: 'Succeeded' }))['conditions'], [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.deepEqual(row(podWith({}, { phase: 'Failed' }))['conditions'], [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  assert.equal(row(podWith({}, { phase: 'Running' }))['conditions'], undefined);
});

test('includeObject: Metadata gives PartialObjectMetadata, Object the object, None nothing', () => {
  const p = podWith({}, { phase: 'Pending' });
  const meta = toTable('pods', [p], { includeObject: 'Metadata', now: NOW });
  const object = ((meta['rows'] as JsonObject[])[0] ?? {})['object'] as JsonObject;
  assert.deepEqual(object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: (p as unknown as JsonObject)['metadata'] ?? null });
  const full = toTable('pods', [p], { includeObject: 'Object', now: NOW, continue: 'abc' });
  assert.deepEqual(((full['rows'] as JsonObject[])[0] ?? {})['object'], p as unknown as JsonObject);
  assert.deepEqual(full['metadata'], { continue: 'abc' });
  assert.equal(((toTable('pods', [p], { includeObject: 'None', now: NOW })['rows'] as JsonObject[])[0] ?? {})['object'], undefined);
});
