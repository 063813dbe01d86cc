// kubectl's generator commands (`create namespace|configmap|secret|serviceaccount|service|deployment`)
// send protobuf bodies; `expose` and `scale` follow with JSON and merge patches. Each runs against
// the real `nodelet apiserver`, must exit 0, and what it sent must read back with `get -o json`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isJsonObject, type JsonObject, type JsonValue } from '../../../src/api/object.js';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';
import { kubectlFor, kubectlMissing, type Kubectl } from '../kubectl/kubectl-runner.js';

const IMAGE = 'nodelet.local/busybox:1.35';
const NS = 'gen';

/** The value at a dotted path (numeric segments index arrays); undefined when absent. */
function at(obj: JsonValue, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const part of path.split('.')) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (cur !== undefined && isJsonObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

describe('kubectl generators against nodelet apiserver (protobuf request bodies)', { skip: kubectlMissing() ?? false }, () => {
  let server: RunningApiserver | undefined;
  let kubectl: Kubectl | undefined;
  const k = (): Kubectl => {
    assert.ok(kubectl !== undefined, 'the apiserver started');
    return kubectl;
  };
  const getJson = async (...args: string[]): Promise<JsonObject> => {
    const parsed = JSON.parse(await k().ok('get', ...args, '-o', 'json')) as unknown;
    assert.ok(isJsonObject(parsed), 'get -o json prints an object');
    return parsed;
  };

  before(
    async () => {
      server = await startApiserver('sqlite', { controllers: '*' });
      kubectl = kubectlFor(server.kubeconfig, server.tmp.join('kube-cache'));
    },
    { timeout: 90_000 },
  );
  after(() => server?.stop(), { timeout: 30_000 });

  test('the generators really send protobuf, and the answer is JSON', async () => {
    const r = await k().run('create', 'namespace', 'wire-check', '-v=9');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
    assert.match(r.stderr, /Accept: application\/vnd\.kubernetes\.protobuf,application\/json/);
    assert.match(r.stderr, /"Response" verb="POST"[^\n]*status="201 Created"[\s\S]*?Content-Type: application\/json/);
  });

  test('create namespace', async () => {
    assert.match(await k().ok('create', 'namespace', NS), /namespace\/gen created/);
    const ns = await getJson('namespace', NS);
    assert.equal(at(ns, 'metadata.name'), NS);
    assert.equal(at(ns, 'status.phase'), 'Active');
  });

  test('create configmap --from-literal', async () => {
    await k().ok('create', 'configmap', 'cm1', '-n', NS, '--from-literal=a=1', '--from-literal=greeting=hello world');
    const cm = await getJson('configmap', 'cm1', '-n', NS);
    assert.deepEqual(at(cm, 'data'), { a: '1', greeting: 'hello world' });
  });

  test('create secret generic --from-literal keeps the value intact', async () => {
    await k().ok('create', 'secret', 'generic', 's1', '-n', NS, '--from-literal=password=s3cr3t!\u00e9');
    const s = await getJson('secret', 's1', '-n', NS);
    assert.equal(at(s, 'type'), 'Opaque');
    const data = at(s, 'data.password');
    assert.equal(typeof data, 'string');
    assert.equal(Buffer.from(String(data), 'base64').toString('utf8'), 's3cr3t!\u00e9');
  });

  test('create secret docker-registry', async () => {
    await k().ok('create', 'secret', 'docker-registry', 'd1', '-n', NS, '--docker-server=reg.local', '--docker-username=u', '--docker-password=p');
    const s = await getJson('secret', 'd1', '-n', NS);
    assert.equal(at(s, 'type'), 'kubernetes.io/dockerconfigjson');
    const data = at(s, 'data');
    assert.ok(data !== undefined && isJsonObject(data));
    const cfg = JSON.parse(Buffer.from(String(data['.dockerconfigjson']), 'base64').toString('utf8')) as unknown;
    assert.ok(isJsonObject(cfg) && isJsonObject(cfg.auths ?? null));
    assert.deepEqual(cfg.auths, { 'reg.local': { username: 'u', password: 'p', auth: Buffer.from('u:p').toString('base64') } });
  });

  test('create serviceaccount', async () => {
    await k().ok('create', 'serviceaccount', 'sa1', '-n', NS);
    const sa = await getJson('serviceaccount', 'sa1', '-n', NS);
    assert.equal(at(sa, 'metadata.namespace'), NS);
  });

  test('create deployment --image --replicas=2 --port=8080', async () => {
    await k().ok('create', 'deployment', 'web', '-n', NS, `--image=${IMAGE}`, '--replicas=2', '--port=8080');
    const d = await getJson('deployment', 'web', '-n', NS);
    assert.equal(at(d, 'spec.replicas'), 2);
    assert.deepEqual(at(d, 'metadata.labels'), { app: 'web' });
    assert.deepEqual(at(d, 'spec.selector'), { matchLabels: { app: 'web' } });
    assert.deepEqual(at(d, 'spec.template.metadata.labels'), { app: 'web' });
    assert.equal(at(d, 'spec.template.spec.containers.0.name'), 'busybox');
    assert.equal(at(d, 'spec.template.spec.containers.0.image'), IMAGE);
    assert.deepEqual(at(d, 'spec.template.spec.containers.0.ports'), [{ containerPort: 8080, protocol: 'TCP' }]);
  });

  test('create deployment with a command', async () => {
    await k().ok('create', 'deployment', 'sleeper', '-n', NS, `--image=${IMAGE}`, '--', 'sleep', '3600');
    const d = await getJson('deployment', 'sleeper', '-n', NS);
    assert.equal(at(d, 'spec.replicas'), 1);
    assert.deepEqual(at(d, 'spec.template.spec.containers.0.command'), ['sleep', '3600']);
  });

  test('expose deployment --port=80 --target-port=8080', async () => {
    await k().ok('expose', 'deployment', 'web', '-n', NS, '--port=80', '--target-port=8080');
    const svc = await getJson('service', 'web', '-n', NS);
    assert.deepEqual(at(svc, 'spec.selector'), { app: 'web' });
    assert.equal(at(svc, 'spec.ports.0.port'), 80);
    assert.equal(at(svc, 'spec.ports.0.targetPort'), 8080);
    assert.equal(at(svc, 'spec.ports.0.protocol'), 'TCP');
  });

  test('create service clusterip --tcp=80:8080', async () => {
    await k().ok('create', 'service', 'clusterip', 'svc1', '-n', NS, '--tcp=80:8080');
    const svc = await getJson('service', 'svc1', '-n', NS);
    assert.equal(at(svc, 'spec.type'), 'ClusterIP');
    assert.deepEqual(at(svc, 'spec.ports'), [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
    assert.deepEqual(at(svc, 'spec.selector'), { app: 'svc1' });
    assert.match(String(at(svc, 'spec.clusterIP')), /^\d+\.\d+\.\d+\.\d+$/);
  });

  test('create service nodeport --node-port', async () => {
    await k().ok('create', 'service', 'nodeport', 'np1', '-n', NS, '--tcp=81:8081', '--node-port=30081');
    const svc = await getJson('service', 'np1', '-n', NS);
    assert.equal(at(svc, 'spec.type'), 'NodePort');
    assert.equal(at(svc, 'spec.ports.0.nodePort'), 30081);
    assert.equal(at(svc, 'spec.ports.0.targetPort'), 8081);
  });

  test('scale deployment --replicas=3', async () => {
    await k().ok('scale', 'deployment', 'web', '-n', NS, '--replicas=3');
    const d = await getJson('deployment', 'web', '-n', NS);
    assert.equal(at(d, 'spec.replicas'), 3);
    assert.equal(at(d, 'spec.template.spec.containers.0.image'), IMAGE);
  });
});
