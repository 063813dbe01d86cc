import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toTable } from '../../../../src/apiserver/table/index.js';
import type { JsonObject, JsonValue, KubeObject } from '../../../../src/api/object.js';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const CREATED = '2025-06-01T11:00:00Z';

function k(kind: string, body: JsonObject, name = 'x'): KubeObject {
  return { apiVersion: 'v1', kind, metadata: { name, namespace: 'default', creationTimestamp: CREATED }, ...body } as unknown as KubeObject;
}

function table(resource: string, objects: KubeObject[]): { columns: Array<[JsonValue, JsonValue]>; rows: JsonValue[][] } {
  const t = toTable(resource, objects, { includeObject: 'None', now: NOW });
  return {
    columns: (t['columnDefinitions'] as JsonObject[]).map((c) => [c['name'] ?? null, c['priority'] ?? null]),
    rows: (t['rows'] as JsonObject[]).map((r) => r['cells'] as JsonValue[]),
  };
}

test('nodes: status with SchedulingDisabled, roles, wide node info', () => {
  const node = (labels: JsonObject, spec: JsonObject, status: JsonObject, name = 'n1'): KubeObject =>
    ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels, creationTimestamp: CREATED }, spec, status }) as unknown as KubeObject;
  const t = table('nodes', [
    node(
      { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '' },
      { unschedulable: true },
      {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.33.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.6.20' },
      },
    ),
    node({ 'kubernetes.io/role': 'edge' }, {}, { conditions: [{ type: 'Ready', status: 'Unknown' }] }, 'n2'),
    node({}, {}, {}, 'n3'),
  ]);
  assert.deepEqual(t.columns.map((c) => c[0]), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime']);
  assert.deepEqual(t.rows, [
    ['n1', 'Ready,SchedulingDisabled', 'control-plane,worker', '60m', 'v1.33.0', '10.0.0.1', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.6.20'],
    ['n2', 'NotReady', 'edge', '60m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
    ['n3', 'Unknown', '<none>', '60m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  ]);
});

test('services: cluster IP, external IP by type, ports, selector', () => {
  const svc = (name: string, spec: JsonObject, status: JsonObject = {}): KubeObject => k('Service', { spec, status }, name);
  const t = table('services', [
    svc('kubernetes', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, protocol: 'TCP' }] }),
    svc('web', { type: 'NodePort', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { tier: 'fe', app: 'web' } }),
    svc('lb', { type: 'LoadBalancer', clusterIPs: ['10.96.0.30'], ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }),
    svc('lb2', { type: 'LoadBalancer', clusterIPs: ['10.96.0.31'], externalIPs: ['192.0.2.9'], ports: [] }, { loadBalancer: { ingress: [{ ip: '198.51.100.2' }, { hostname: 'lb.example.com' }] } }),
    svc('db', { type: 'ExternalName', externalName: 'db.example.com' }),
    svc('headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }] }),
  ]);
  assert.deepEqual(t.columns, [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]]);
  assert.deepEqual(t.rows, [
    ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '60m', '<none>'],
    ['web', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP,53/UDP', '60m', 'app=web,tier=fe'],
    ['lb', 'LoadBalancer', '10.96.0.30', '<pending>', '80:31000/TCP', '60m', '<none>'],
    ['lb2', 'LoadBalancer', '10.96.0.31', '198.51.100.2,lb.example.com,192.0.2.9', '<none>', '60m', '<none>'],
    ['db', 'ExternalName', '<none>', 'db.example.com', '<none>', '60m', '<none>'],
    ['headless', 'ClusterIP', 'None', '<none>', '5432/TCP', '60m', '<none>'],
  ]);
});

test('deployments and replicasets', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox:1.36' }] } };
  const d = { ...k('Deployment', { spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }, 'web'), apiVersion: 'apps/v1' };
  const t = table('deployments', [d]);
  assert.deepEqual(t.columns.map((c) => `${String(c[0])}:${String(c[1])}`), ['Name:0', 'Ready:0', 'Up-to-date:0', 'Available:0', 'Age:0', 'Containers:1', 'Images:1', 'Selector:1']);
  assert.deepEqual(t.rows, [['web', '2/3', 3, 2, '60m', 'web,log', 'nginx:1.27,busybox:1.36', 'app=web']]);
  const fresh = table('deployments', [k('Deployment', { spec: { replicas: 1, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] }, template } }, 'new')]);
  assert.deepEqual(fresh.rows[0]?.slice(1, 4), ['0/1', 0, 0]);
  assert.equal(fresh.rows[0]?.[7], 'app=web,tier in (fe)');
  const rs = table('replicasets', [k('ReplicaSet', { spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 3, readyReplicas: 1 } }, 'web-5d8f')]);
  assert.deepEqual(rs.columns.map((c) => c[0]), ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector']);
  assert.deepEqual(rs.rows, [['web-5d8f', 3, 3, 1, '60m', 'web,log', 'nginx:1.27,busybox:1.36', 'app=web']]);
});

test('namespaces, configmaps, secrets, service accounts, leases', () => {
  assert.deepEqual(table('namespaces', [k('Namespace', { status: { phase: 'Terminating' } }, 'old')]).rows, [['old', 'Terminating', '60m']]);
  assert.deepEqual(table('configmaps', [k('ConfigMap', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, 'cm')]).rows, [['cm', 3, '60m']]);
  assert.deepEqual(table('secrets', [k('Secret', { type: 'Opaque', data: { a: 'MQ==' } }, 's')]).rows, [['s', 'Opaque', 1, '60m']]);
  assert.deepEqual(table('serviceaccounts', [k('ServiceAccount', {}, 'default')]).rows, [['default', 0, '60m']]);
  assert.deepEqual(table('leases', [k('Lease', { spec: { holderIdentity: 'n1' } }, 'n1')]).rows, [['n1', 'n1', '60m']]);
});

test('endpoints and endpoint slices list at most three, then "+ N more..."', () => {
  const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip }));
  assert.deepEqual(table('endpoints', [k('Endpoints', { subsets: [{ addresses, ports: [{ port: 80 }] }] }, 'web')]).rows, [['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...', '60m']]);
  assert.deepEqual(table('endpoints', [k('Endpoints', {}, 'none')]).rows, [['none', '<none>', '60m']]);
  assert.deepEqual(table('endpoints', [k('Endpoints', { subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 443 }] }] }, 'v6')]).rows[0]?.[1], '[fd00::1]:443');
  const slice = k('EndpointSlice', { addressType: 'IPv4', ports: [{ port: 80 }, { name: 'metrics' }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] }, 'web-abc');
  assert.deepEqual(table('endpointslices', [slice]).rows, [['web-abc', 'IPv4', '80,metrics', '10.0.0.1,10.0.0.2', '60m']]);
  assert.deepEqual(table('endpointslices', [k('EndpointSlice', { addressType: 'IPv4' }, 'empty')]).rows, [['empty', 'IPv4', '<unset>', '<unset>', '60m']]);
});

test('events: last seen, object, source and count', () => {
  const ev = k(
    'Event',
    {
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{web}' },
      reason: 'Pulled',
      type: 'Normal',
      message: 'Successfully pulled image\n',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2025-06-01T11:50:00Z',
      lastTimestamp: '2025-06-01T11:58:00Z',
      count: 3,
    },
    'web-1.abc',
  );
  const t = table('events', [ev]);
  assert.deepEqual(t.columns.map((c) => c[0]), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
  assert.deepEqual(t.rows, [['2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, n1', 'Successfully pulled image', '10m', 3, 'web-1.abc']]);
  const modern = k('Event', { involvedObject: { kind: 'Node' }, eventTime: '2025-06-01T11:59:00.000000Z', reportingComponent: 'nodelet' }, 'e2');
  assert.deepEqual(table('events', [modern]).rows[0]?.slice(0, 9), ['60s', '', '', 'node', '', 'nodelet', '', '60s', 1]);
});

test('kinds without a printer get Name and Created At', () => {
  const t = table('widgets', [k('Widget', {}, 'w')]);
  assert.deepEqual(t.columns, [['Name', 0], ['Created At', 0]]);
  assert.deepEqual(t.rows, [['w', '2025-06-01T11:00:00Z']]);
  const raw = toTable('widgets', [], { includeObject: 'None', now: NOW });
  assert.equal(((raw['columnDefinitions'] as JsonObject[])[1] ?? {})['type'], 'date');
});
