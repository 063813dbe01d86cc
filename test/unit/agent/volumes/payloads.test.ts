import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configMapPayload, downwardApiPayload, fileMode, secretPayload, type Payload } from '../../../../src/agent/volumes/payloads.js';
import { cleanPayloadPath, checkSubPath, volumeDir } from '../../../../src/agent/volumes/paths.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import type { ConfigMap, Pod } from '../../../../src/api/pod-types.js';
import { b64 } from './fakes.js';

const show = (p: Payload): Record<string, [string, string]> =>
  Object.fromEntries([...p].map(([k, f]) => [k, [f.data.toString('utf8'), f.mode.toString(8)]]));

const cm: ConfigMap = { metadata: { name: 'cfg' }, data: { 'app.conf': 'x=1', other: 'o' }, binaryData: { blob: b64('\u0001bin') } };

test('configMap: every key (data and binaryData) with the default mode when there are no items', () => {
  assert.deepEqual(show(configMapPayload(cm, undefined, 0o644, false)), {
    'app.conf': ['x=1', '644'],
    other: ['o', '644'],
    blob: ['\u0001bin', '644'],
  });
});

test('configMap: items map keys to paths with their own modes', () => {
  const p = configMapPayload(cm, [{ key: 'app.conf', path: 'etc/app.conf', mode: 0o400 }, { key: 'blob', path: 'b' }], 0o640, false);
  assert.deepEqual(show(p), { 'etc/app.conf': ['x=1', '400'], b: ['\u0001bin', '640'] });
});

test('configMap: a missing key is NotFound with upstream text, unless optional', () => {
  assert.throws(
    () => configMapPayload(cm, [{ key: 'nope', path: 'n' }], 0o644, false),
    (err: unknown) => isNodeletError(err, ErrorCode.NotFound) && err.message === 'configmap references non-existent config key: nope',
  );
  assert.deepEqual(show(configMapPayload(cm, [{ key: 'nope', path: 'n' }, { key: 'other', path: 'o' }], 0o644, true)), { o: ['o', '644'] });
  assert.deepEqual(show(configMapPayload(undefined, [{ key: 'k', path: 'k' }], 0o644, true)), {});
});

test('secret: values are base64-decoded; a missing key names the key', () => {
  const secret = { metadata: { name: 's' }, data: { password: b64('hunter2'), token: b64('t') } };
  assert.deepEqual(show(secretPayload(secret, undefined, 0o400, false)), { password: ['hunter2', '400'], token: ['t', '400'] });
  assert.throws(
    () => secretPayload(secret, [{ key: 'user', path: 'u' }], 0o644, false),
    (err: unknown) => isNodeletError(err, ErrorCode.NotFound) && err.message === 'references non-existent secret key: user',
  );
});

test('file modes must be 0..0777', () => {
  assert.equal(fileMode(undefined, 0o644), 0o644);
  assert.equal(fileMode(0o400, 0o644), 0o400);
  for (const bad of [-1, 0o1000, 1.5]) assert.throws(() => fileMode(bad, 0o644), (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument));
});

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns', uid: 'u1', labels: { b: '2', a: '1' }, annotations: { note: 'say "hi"' } },
  spec: {
    nodeName: 'node-a',
    containers: [{ name: 'c', image: 'i', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }],
  },
};

test('downwardAPI: pod fields and resources, labels formatted as upstream', () => {
  const p = downwardApiPayload(
    pod,
    [
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' }, mode: 0o600 },
      { path: 'meta/name', fieldRef: { fieldPath: 'metadata.name' } },
      { path: 'ip', fieldRef: { fieldPath: 'status.podIP' } },
      { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu', divisor: '1m' } },
    ],
    0o644,
    { podIPs: ['10.0.0.5'], nodeAllocatable: { cpu: '4', memory: '8Gi' } },
  );
  assert.deepEqual(show(p), {
    labels: ['a="1"\nb="2"', '644'],
    annotations: ['note="say \\"hi\\""', '600'],
    'meta/name': ['web', '644'],
    ip: ['10.0.0.5', '644'],
    mem: ['64', '644'],
    cpu: ['4000', '644'],
  });
});

test('payload paths: relative, no "..", reserved ".." prefix refused; cleaned', () => {
  assert.equal(cleanPayloadPath('a//b/./c'), 'a/b/c');
  assert.equal(cleanPayloadPath('dir/'), 'dir');
  assert.throws(() => cleanPayloadPath('..'), /must not contain '..'/);
  assert.throws(() => cleanPayloadPath('..hidden'), /must not start with '..'/);
  assert.throws(() => cleanPayloadPath('/x'), /must be relative path/);
  assert.throws(() => cleanPayloadPath('x'.repeat(256)), /filenames must be less than or equal to 255/);
  assert.throws(() => cleanPayloadPath('.'), /must not be empty/);
});

test('subPath must be relative without ".."; volume names cannot climb out', () => {
  assert.doesNotThrow(() => checkSubPath('a/b'));
  assert.throws(() => checkSubPath('/abs'), /must not be an absolute path/);
  assert.throws(() => checkSubPath('a/../../etc'), /must not contain '..'/);
  assert.throws(() => volumeDir('/r', 'uid', 'emptyDir', '../x'), (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument));
  assert.throws(() => volumeDir('/r', '..', 'emptyDir', 'x'), (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument));
  assert.equal(volumeDir('/r', 'u1', 'secret', 'tok'), '/r/pods/u1/volumes/kubernetes.io~secret/tok');
});
