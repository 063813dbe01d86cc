// Service ClusterIP and NodePort allocation: dynamic and requested values, conflicts and ranges
// (422), headless, release on delete and on type change, and no double allocation after a restart.
// Also the bootstrap `kubernetes` Service.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './server.js';
import { isJsonObject, type JsonObject } from '../../../src/api/object.js';

let s: TestServer;
before(async () => {
  // A small range so exhaustion and reuse are observable: a /28 has 16 addresses, 13 dynamic.
  s = await startTestServer({ serviceClusterIPRange: '10.100.0.0/28', serviceNodePortRange: '30000-30004' });
});
after(() => s.close());

const SVCS = '/api/v1/namespaces/default/services';

function obj(v: unknown): JsonObject {
  assert.ok(isJsonObject(v), `expected a JSON object, got ${JSON.stringify(v)}`);
  return v;
}

function spec(v: unknown): JsonObject {
  return obj(obj(v).spec);
}

function svc(name: string, s2: JsonObject = {}): JsonObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...s2 } };
}

async function create(body: JsonObject): Promise<{ status: number; body: JsonObject }> {
  const res = await s.request('POST', SVCS, body);
  return { status: res.status, body: obj(res.body) };
}

test('the kubernetes Service holds the first address and points at the apiserver', async () => {
  const k = await s.request('GET', `${SVCS}/kubernetes`);
  assert.equal(k.status, 200);
  assert.equal(spec(k.body).clusterIP, '10.100.0.1');
  assert.deepEqual(spec(k.body).clusterIPs, ['10.100.0.1']);
  const ports = spec(k.body).ports;
  assert.ok(Array.isArray(ports));
  assert.deepEqual(obj(ports[0]), { name: 'https', port: 443, protocol: 'TCP', targetPort: s.port });
  const ep = obj((await s.request('GET', '/api/v1/namespaces/default/endpoints/kubernetes')).body);
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: s.port, protocol: 'TCP' }] }]);
  const slice = await s.request('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
  assert.equal(slice.status, 200);
});

test('ClusterIPs are allocated from the range, requested ones honoured, conflicts and out-of-range refused', async () => {
  const a = await create(svc('a'));
  assert.equal(a.status, 201, JSON.stringify(a.body));
  const ip = String(spec(a.body).clusterIP);
  assert.match(ip, /^10\.100\.0\.([2-9]|1[0-4])$/);
  assert.deepEqual(spec(a.body).clusterIPs, [ip]);

  const taken = await create(svc('b', { clusterIP: ip }));
  assert.equal(taken.status, 422);
  assert.match(String(taken.body.message), /spec.clusterIPs\[0\]: Invalid value: "10\.100\.0\.\d+": provided IP is already allocated/);

  const outside = await create(svc('c', { clusterIP: '10.200.0.5' }));
  assert.equal(outside.status, 422);
  assert.match(String(outside.body.message), /provided IP is not in the valid range. The range of valid IPs is 10.100.0.0\/28/);

  const free = ip === '10.100.0.13' ? '10.100.0.12' : '10.100.0.13';
  const explicit = await create(svc('d', { clusterIP: free }));
  assert.equal(explicit.status, 201, JSON.stringify(explicit.body));
  assert.equal(spec(explicit.body).clusterIP, free);

  const headless = await create(svc('h', { clusterIP: 'None' }));
  assert.equal(headless.status, 201);
  assert.equal(spec(headless.body).clusterIP, 'None');

  const external = await create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(external.status, 201, JSON.stringify(external.body));
  assert.equal(spec(external.body).clusterIP, undefined);
});

test('an update keeps the ClusterIP when it is left out, and refuses to change it', async () => {
  const created = await create(svc('keep'));
  const ip = spec(created.body).clusterIP;
  const { clusterIP: _a, clusterIPs: _b, ...rest } = spec(created.body);
  const put = await s.request('PUT', `${SVCS}/keep`, { ...created.body, spec: { ...rest, ports: [{ port: 81 }] } });
  assert.equal(put.status, 200, put.text);
  assert.equal(spec(put.body).clusterIP, ip);
  // Another address than the one allocated, which is random within the range.
  const other = ip === '10.100.0.6' ? '10.100.0.7' : '10.100.0.6';
  const change = await s.request('PATCH', `${SVCS}/keep`, { spec: { clusterIP: other, clusterIPs: [other] } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(change.status, 422, change.text);
  await s.request('DELETE', `${SVCS}/keep`);
});

test('the range runs out (500), and a deleted Service releases its address', async () => {
  const made: string[] = [];
  for (let i = 0; ; i++) {
    const res = await create(svc(`fill${i}`));
    if (res.status !== 201) {
      assert.equal(res.status, 500);
      assert.match(String(res.body.message), /range is full/);
      break;
    }
    made.push(String(spec(res.body).clusterIP));
    assert.ok(i < 20, 'the range must run out');
  }
  const del = await s.request('DELETE', `${SVCS}/fill0`);
  assert.equal(del.status, 200);
  const again = await create(svc('after-release'));
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.equal(spec(again.body).clusterIP, made[0]);
  // Clean up for the next tests.
  for (let i = 1; i < made.length; i++) await s.request('DELETE', `${SVCS}/fill${i}`);
  await s.request('DELETE', `${SVCS}/after-release`);
});

test('NodePorts: allocated for NodePort services, requested ones honoured, conflicts refused, released on type change', async () => {
  const np = await create(svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }));
  assert.equal(np.status, 201, JSON.stringify(np.body));
  const ports = spec(np.body).ports;
  assert.ok(Array.isArray(ports));
  const nodePorts = ports.map((p) => Number(obj(p).nodePort));
  for (const p of nodePorts) assert.ok(p >= 30000 && p <= 30004);
  assert.notEqual(nodePorts[0], nodePorts[1]);

  const clash = await create(svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: nodePorts[0] ?? 0 }] }));
  assert.equal(clash.status, 422);
  assert.match(String(clash.body.message), /spec.ports\[0\].nodePort: Invalid value: \d+: provided port is already allocated/);
  const range = await create(svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }));
  assert.equal(range.status, 422);
  assert.match(String(range.body.message), /The range of valid ports is 30000-30004/);

  // Leaving nodePort out on update keeps it.
  const kept = await s.request('PATCH', `${SVCS}/np`, { spec: { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(kept.status, 200, kept.text);
  const keptPorts = spec(kept.body).ports;
  assert.ok(Array.isArray(keptPorts));
  assert.deepEqual(keptPorts.map((p) => obj(p).nodePort), nodePorts);

  // Back to ClusterIP: the node ports are dropped and free again.
  const toClusterIP = await s.request('PATCH', `${SVCS}/np`, { spec: { type: 'ClusterIP' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(toClusterIP.status, 200, toClusterIP.text);
  const after = spec(toClusterIP.body).ports;
  assert.ok(Array.isArray(after));
  assert.ok(after.every((p) => obj(p).nodePort === undefined));
  const reuse = await create(svc('np4', { type: 'NodePort', ports: [{ port: 80, nodePort: nodePorts[0] ?? 0 }] }));
  assert.equal(reuse.status, 201, JSON.stringify(reuse.body));
});

test('allocations survive a restart: nothing is handed out twice', async () => {
  const before = await create(svc('persist', { type: 'NodePort' }));
  assert.equal(before.status, 201);
  const ip = spec(before.body).clusterIP;
  const ports = spec(before.body).ports;
  assert.ok(Array.isArray(ports));
  const nodePort = obj(ports[0]).nodePort;
  await s.restart();
  const clashIP = await create(svc('persist2', { clusterIP: String(ip) }));
  assert.equal(clashIP.status, 422);
  const clashPort = await create(svc('persist3', { type: 'NodePort', ports: [{ port: 80, nodePort: nodePort ?? 0 }] }));
  assert.equal(clashPort.status, 422);
  const fresh = await create(svc('persist4'));
  assert.equal(fresh.status, 201);
  assert.notEqual(spec(fresh.body).clusterIP, ip);
});

test('dry run allocates nothing', async () => {
  const res = await s.request('POST', `${SVCS}?dryRun=All`, svc('dry', { clusterIP: '10.100.0.6' }));
  if (res.status === 201) {
    const real = await create(svc('real', { clusterIP: '10.100.0.6' }));
    assert.equal(real.status, 201, 'the dry run did not keep the address');
  } else {
    assert.equal(res.status, 422, 'the address is simply taken already');
  }
});
