import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { container, containerStatus, image, podSandbox } from '../../../src/cri/decode.js';
import { Reader } from '../../../src/cri/reader.js';

test('a container status decodes with exact timestamps and defaults for unset fields', () => {
  const status = containerStatus(
    Reader.of(
      {
        id: 'c1',
        metadata: { name: 'app', attempt: 2 },
        state: 'CONTAINER_EXITED',
        createdAt: '1700000000000000001',
        startedAt: '1700000000100000002',
        finishedAt: '1700000000200000003',
        exitCode: 137,
        reason: 'OOMKilled',
        labels: { 'io.kubernetes.pod.uid': 'u1' },
        mounts: [{ containerPath: '/data', hostPath: '/var/lib/x', readonly: true, propagation: 'PROPAGATION_BIDIRECTIONAL' }],
        resources: { linux: { memoryLimitInBytes: '268435456', cpuQuota: '-1' } },
        stopSignal: 'SIGTERM',
      },
      'ContainerStatus',
    ),
  );
  assert.equal(status.createdAt, 1_700_000_000_000_000_001n);
  assert.equal(status.finishedAt, 1_700_000_000_200_000_003n);
  assert.equal(status.exitCode, 137);
  assert.deepEqual(status.metadata, { name: 'app', attempt: 2 });
  assert.equal(status.mounts[0]?.propagation, 'PROPAGATION_BIDIRECTIONAL');
  assert.equal(status.resources?.memoryLimitInBytes, 268_435_456);
  assert.equal(status.resources?.cpuQuota, -1);
  assert.equal(status.stopSignal, 'SIGTERM');
  assert.equal(status.image.image, '');
  assert.deepEqual(status.annotations, {});
  assert.equal(status.imageId, '');
});

test('enum values from a newer runtime fall back safely', () => {
  // proto-loader hands unknown enum values over as numbers.
  assert.equal(container(Reader.of({ id: 'c', state: 9 }, 'Container')).state, 'CONTAINER_UNKNOWN');
  assert.equal(podSandbox(Reader.of({ id: 'p', state: 5 }, 'PodSandbox')).state, 'SANDBOX_NOTREADY');
  assert.equal(containerStatus(Reader.of({ stopSignal: 70 }, 'ContainerStatus')).stopSignal, 'RUNTIME_DEFAULT');
});

test('wrapped values tell unset from zero', () => {
  assert.equal(image(Reader.of({ id: 'sha256:1', uid: { value: '0' }, size: '1024' }, 'Image')).uid, 0);
  assert.equal(image(Reader.of({ id: 'sha256:1', uid: null }, 'Image')).uid, undefined);
});

test('a field of the wrong type is a malformed reply (Internal) naming its path', () => {
  assert.throws(
    () => container(Reader.of({ id: 'c', labels: { a: 1 } }, 'Container')),
    (err: unknown) => isNodeletError(err, ErrorCode.Internal) && err.message.includes('Container.labels.a'),
  );
  assert.throws(
    () => container(Reader.of({ id: 7 }, 'Container')),
    (err: unknown) => isNodeletError(err, ErrorCode.Internal) && err.message.includes('Container.id'),
  );
  assert.throws(() => Reader.of('nope', 'X'), (err: unknown) => isNodeletError(err, ErrorCode.Internal));
});
