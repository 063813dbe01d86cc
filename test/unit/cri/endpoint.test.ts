import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { parseCriEndpoint } from '../../../src/cri/endpoint.js';

test('unix endpoints and bare absolute paths become a unix:// target', () => {
  const cases: Array<[string, string]> = [
    ['unix:///run/containerd/containerd.sock', '/run/containerd/containerd.sock'],
    ['unix:/run/cri-dockerd.sock', '/run/cri-dockerd.sock'],
    ['/var/run/nodelet/cri.sock', '/var/run/nodelet/cri.sock'],
    ['  unix:///run//x/../containerd.sock ', '/run/containerd.sock'],
  ];
  for (const [input, path] of cases) {
    const ep = parseCriEndpoint(input);
    assert.equal(ep.socketPath, path, input);
    assert.equal(ep.target, `unix://${path}`, input);
  }
});

test('non-unix schemes, relative paths and host parts are InvalidConfig', () => {
  for (const bad of [
    'tcp://127.0.0.1:1234',
    'npipe:////./pipe/containerd',
    'http://localhost/x',
    'unix://run/containerd.sock',
    'unix:relative.sock',
    'relative/cri.sock',
    '',
    'unix://',
  ]) {
    assert.throws(
      () => parseCriEndpoint(bad),
      (err: unknown) => isNodeletError(err, ErrorCode.InvalidConfig),
      JSON.stringify(bad),
    );
  }
});
