import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { defaultPullPolicy } from '../../../../src/agent/sources/static-defaults.js';
import { staticPodFromManifest, staticPodUid } from '../../../../src/agent/sources/static-pod.js';

const ctx = { nodeName: 'Worker-1', file: '/etc/nodelet/manifests/web.yaml', now: Date.UTC(2024, 0, 2, 3, 4, 5) };

const WEB = `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: nodelet.local/busybox:1.35
    ports: [{containerPort: 80}]
    livenessProbe:
      httpGet: {port: 80}
  volumes:
  - name: cfg
    secret: {secretName: s, defaultMode: 0600}
  - name: scratch
`;

describe('staticPodFromManifest', () => {
  it('names, namespaces, annotates and binds the pod as upstream', () => {
    const pod = staticPodFromManifest(WEB, ctx);
    assert.equal(pod.metadata.name, 'web-worker-1', 'name-<lowercased node name>');
    assert.equal(pod.metadata.namespace, 'default');
    assert.match(pod.metadata.uid, /^[0-9a-f]{32}$/);
    assert.deepEqual(pod.metadata.annotations, {
      'kubernetes.io/config.source': 'file',
      'kubernetes.io/config.hash': pod.metadata.uid,
      'kubernetes.io/config.seen': '2024-01-02T03:04:05.000Z',
    });
    assert.deepEqual(pod.metadata.labels, { app: 'web' });
    assert.equal(pod.spec.nodeName, 'Worker-1');
    assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  });

  it('applies the apiserver defaults', () => {
    const pod = staticPodFromManifest(WEB, ctx);
    const { spec } = pod;
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal(spec.dnsPolicy, 'ClusterFirst');
    assert.equal(spec.terminationGracePeriodSeconds, 30);
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.schedulerName, 'default-scheduler');
    const c = spec.containers[0];
    assert.equal(c?.imagePullPolicy, 'IfNotPresent');
    assert.equal(c?.terminationMessagePath, '/dev/termination-log');
    assert.equal(c?.terminationMessagePolicy, 'File');
    assert.equal(c?.ports?.[0]?.protocol, 'TCP');
    assert.deepEqual(c?.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(spec.volumes, [
      { name: 'cfg', secret: { secretName: 's', defaultMode: 0o600 } },
      { name: 'scratch', emptyDir: {} },
    ], 'YAML 1.1 octal mode; a volume without a source is an emptyDir');
  });

  it('keeps a namespace and a uid the manifest sets', () => {
    const pod = staticPodFromManifest(WEB.replace('name: web\n', 'name: web\n  namespace: kube-system\n  uid: fixed-uid\n'), ctx);
    assert.equal(pod.metadata.namespace, 'kube-system');
    assert.equal(pod.metadata.uid, 'fixed-uid');
    assert.equal(pod.metadata.annotations?.['kubernetes.io/config.hash'], 'fixed-uid');
  });

  it('derives the uid from content, node and file: stable, and new when any changes', () => {
    const uid = staticPodFromManifest(WEB, ctx).metadata.uid;
    assert.equal(staticPodFromManifest(WEB, { ...ctx, now: ctx.now + 1000 }).metadata.uid, uid, 'stable over time (agent restarts)');
    const json = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', spec: { volumes: [{ name: 'cfg', secret: { defaultMode: 0o600, secretName: 's' } }, { name: 'scratch' }], containers: [{ name: 'c', image: 'nodelet.local/busybox:1.35', livenessProbe: { httpGet: { port: 80 } }, ports: [{ containerPort: 80 }] }] }, metadata: { labels: { app: 'web' }, name: 'web' } });
    assert.equal(staticPodFromManifest(json, ctx).metadata.uid, uid, 'the same pod in JSON with other key order');
    assert.notEqual(staticPodFromManifest(WEB.replace('1.35', '1.36'), ctx).metadata.uid, uid, 'content');
    assert.notEqual(staticPodFromManifest(WEB, { ...ctx, nodeName: 'other' }).metadata.uid, uid, 'node');
    assert.notEqual(staticPodFromManifest(WEB, { ...ctx, file: '/etc/nodelet/manifests/web2.yaml' }).metadata.uid, uid, 'file');
    assert.equal(staticPodUid({ a: 1, b: 2 }, 'n', 'f'), staticPodUid({ b: 2, a: 1 }, 'n', 'f'));
  });

  it('does not add the NoExecute toleration twice', () => {
    const pod = staticPodFromManifest(WEB.replace('spec:\n', 'spec:\n  tolerations: [{operator: Exists, effect: NoExecute}]\n'), ctx);
    assert.deepEqual(pod.spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['bad YAML', 'kind: Pod\n  spec: [', /^invalid YAML or JSON: /],
    ['two documents', `${WEB}\n---\n${WEB}`, /^invalid YAML or JSON: Source contains multiple documents/],
    ['a scalar', 'hello', /^not a Pod manifest: expected an object$/],
    ['an empty file', '', /^not a Pod manifest: expected an object$/],
    ['another kind', 'apiVersion: v1\nkind: Service\n', /^not a Pod manifest: apiVersion "v1", kind "Service" \(want v1 Pod\)$/],
    ['no name', WEB.replace('  name: web\n', ''), /^metadata\.name: required$/],
    ['annotations of the wrong type', WEB.replace('metadata:\n', 'metadata:\n  annotations: [1]\n'), /^metadata\.annotations: must be an object$/],
    ['a bad field', WEB.replace('image: nodelet.local/busybox:1.35', 'image: [x]'), /^spec\.containers\[0\]\.image: must be a string$/],
    ['no containers', 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {}\n', /^spec\.containers: required$/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => staticPodFromManifest(text, ctx),
        (err: unknown) => isNodeletError(err, ErrorCode.InvalidArgument) && message.test(err.message),
      );
    });
  }
});

describe('defaultPullPolicy', () => {
  const cases: Array<[string, string]> = [
    ['busybox', 'Always'],
    ['busybox:latest', 'Always'],
    ['registry:5000/busybox', 'Always'],
    ['registry:5000/busybox:1.35', 'IfNotPresent'],
    ['busybox@sha256:abcd', 'IfNotPresent'],
  ];
  for (const [image, policy] of cases) it(`${image} -> ${policy}`, () => assert.equal(defaultPullPolicy(image), policy));
});
