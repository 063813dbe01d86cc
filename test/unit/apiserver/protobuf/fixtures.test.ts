// Bodies captured from kubectl v1.33.1's generators (`-v=9`), decoded into the JSON that the same
// command prints with `--dry-run=client -o json` (nulls left out, as the JSON path drops them).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../../../harness/index.js';
import { decodeBody } from '../../../../src/apiserver/body.js';
import { ApiError } from '../../../../src/apiserver/status.js';
import { decodeProtobufBody } from '../../../../src/apiserver/protobuf/envelope.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test/unit/apiserver/protobuf/fixtures');

function fixture(name: string): Buffer {
  const text = readFileSync(path.join(FIXTURES, `${name}.hex`), 'utf8');
  const hex = text.split('\n').filter((l) => !l.startsWith('#')).join('').trim();
  return Buffer.from(hex, 'hex');
}

const meta = (name: string, labels?: Record<string, string>): Record<string, unknown> =>
  labels === undefined ? { name } : { name, labels };

const CASES: Record<string, unknown> = {
  'namespace': { apiVersion: 'v1', kind: 'Namespace', metadata: meta('ns1'), spec: {}, status: {} },
  'serviceaccount': { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('sa1') },
  'configmap-literals': { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('cm1'), data: { a: '1', b: 'hello world' } },
  'secret-generic': {
    apiVersion: 'v1', kind: 'Secret', metadata: meta('s1'), data: { pw: Buffer.from('s3cr3t').toString('base64') }, type: 'Opaque',
  },
  'secret-docker-registry': {
    apiVersion: 'v1', kind: 'Secret', metadata: meta('d1'), type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from('{"auths":{"x":{"username":"u","password":"p","auth":"dTpw"}}}').toString('base64') },
  },
  'service-clusterip': {
    apiVersion: 'v1', kind: 'Service', metadata: meta('svc1', { app: 'svc1' }), status: { loadBalancer: {} },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc1' }, type: 'ClusterIP' },
  },
  'service-nodeport': {
    apiVersion: 'v1', kind: 'Service', metadata: meta('np1', { app: 'np1' }), status: { loadBalancer: {} },
    spec: {
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }], selector: { app: 'np1' }, type: 'NodePort',
    },
  },
  'deployment-replicas-port': {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web', { app: 'web' }), status: {},
    spec: {
      replicas: 2, selector: { matchLabels: { app: 'web' } }, strategy: {},
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'busybox', image: 'nodelet.local/busybox:1.35', ports: [{ containerPort: 8080 }], resources: {} }] },
      },
    },
  },
  'deployment-command': {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('web2', { app: 'web2' }), status: {},
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web2' } }, strategy: {},
      template: {
        metadata: { labels: { app: 'web2' } },
        spec: { containers: [{ name: 'busybox', image: 'nodelet.local/busybox:1.35', command: ['sleep', '3600'], resources: {} }] },
      },
    },
  },
};

for (const [name, expected] of Object.entries(CASES)) {
  test(`kubectl's protobuf body decodes: ${name}`, () => {
    assert.deepEqual(decodeProtobufBody(fixture(name)), expected);
  });
}

test('decodeBody dispatches on the protobuf content type, parameters and case aside', () => {
  const body = fixture('configmap-literals');
  assert.deepEqual(decodeBody(body, 'Application/vnd.kubernetes.protobuf; charset=binary'), CASES['configmap-literals']);
});

test('a kind without a schema (TokenRequest) is 415 and says to send JSON', () => {
  assert.throws(
    () => decodeProtobufBody(fixture('tokenrequest')),
    (e: unknown) => e instanceof ApiError && e.code === 415 && /authentication\.k8s\.io\/v1\/TokenRequest/.test(e.message) && /application\/json/.test(e.message),
  );
});

test('a body without the k8s\\0 magic is 415', () => {
  assert.throws(() => decodeProtobufBody(Buffer.from('{"kind":"ConfigMap"}')), (e: unknown) => e instanceof ApiError && e.code === 415);
});

test('a truncated body is a 400, not a partial object', () => {
  const body = fixture('deployment-replicas-port');
  assert.throws(() => decodeProtobufBody(body.subarray(0, body.length - 20)), (e: unknown) => e instanceof ApiError && e.code === 400 && /malformed/.test(e.message));
});
