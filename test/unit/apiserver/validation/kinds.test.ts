import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalidMessage, qualifiedKind, validateObject } from '../../../../src/apiserver/validation/index.js';
import type { JsonObject } from '../../../../src/api/object.js';
import { at, defaulted, deployment, edited, kube, service, texts } from './fixtures.js';

const spec = (o: JsonObject): JsonObject => o['spec'] as JsonObject;
const meta = (o: JsonObject): JsonObject => o['metadata'] as JsonObject;

test('services', () => {
  assert.deepEqual(validateObject('services', service()), []);
  const cases: Array<[string, (o: JsonObject) => void, string[]]> = [
    [
      'a name that is not a DNS-1035 label',
      (o) => (meta(o)['name'] = '1web'),
      [
        `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    ['no ports', (o) => (spec(o)['ports'] = []), ['spec.ports: Required value']],
    [
      'headless without ports is fine',
      (o) => {
        spec(o)['ports'] = [];
        spec(o)['clusterIP'] = 'None';
        spec(o)['clusterIPs'] = ['None'];
      },
      [],
    ],
    [
      'two unnamed ports',
      (o) => (spec(o)['ports'] = [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, protocol: 'TCP', targetPort: 443 }]),
      ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
    ],
    [
      'duplicate port',
      (o) => (spec(o)['ports'] = [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'b', port: 80, protocol: 'TCP', targetPort: 81 }]),
      ['spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}'],
    ],
    ['port 0, bad target name', (o) => (spec(o)['ports'] = [{ port: 0, protocol: 'TCP', targetPort: 'Http_' }]), [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].targetPort: Invalid value: "Http_": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
    ]],
    ['nodePort on ClusterIP', (o) => (at(spec(o)['ports'] as JsonObject[], 0)['nodePort'] = 30080), ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['bad type', (o) => (spec(o)['type'] = 'Magic'), ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "NodePort", "LoadBalancer", "ExternalName"']],
    ['bad cluster IP', (o) => (spec(o)['clusterIPs'] = ['10.0.0.300']), ['spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']],
    [
      'ExternalName without a name, with an IP',
      (o) => (spec(o)['type'] = 'ExternalName'),
      ['spec.clusterIPs: Forbidden: may not be set for ExternalName services', 'spec.externalName: Required value'],
    ],
  ];
  for (const [name, edit, want] of cases) assert.deepEqual(texts('services', edited(service(), edit)), want, name);
  const old = service();
  assert.deepEqual(texts('services', edited(old, (o) => (spec(o)['clusterIPs'] = ['10.96.0.21'])), old), [
    'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set',
  ]);
  assert.deepEqual(texts('services', edited(old, (o) => (spec(o)['selector'] = { app: 'v2' })), old), []);
});

test('deployments and replicasets', () => {
  assert.deepEqual(validateObject('deployments', deployment()), []);
  const cases: Array<[string, (o: JsonObject) => void, string[]]> = [
    ['no selector', (o) => delete spec(o)['selector'], ['spec.selector: Required value']],
    ['empty selector', (o) => (spec(o)['selector'] = {}), ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    [
      'selector does not match the template',
      (o) => (spec(o)['selector'] = { matchLabels: { app: 'other' } }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`'],
    ],
    ['negative replicas', (o) => (spec(o)['replicas'] = -1), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [
      'template restartPolicy Never',
      (o) => (((spec(o)['template'] as JsonObject)['spec'] as JsonObject)['restartPolicy'] = 'Never'),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    ['template container without image', (o) => delete at(((spec(o)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[], 0)['image'], ['spec.template.spec.containers[0].image: Required value']],
    [
      'rolling update that cannot progress',
      (o) => (spec(o)['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
    ['Recreate with rollingUpdate', (o) => (spec(o)['strategy'] = { type: 'Recreate', rollingUpdate: {} }), ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
    ['bad selector operator', (o) => (spec(o)['selector'] = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'x', operator: 'Near' }] }), ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator', 'spec.selector: Invalid value: {"matchLabels":{"app":"web"},"matchExpressions":[{"key":"x","operator":"Near"}]}: invalid label selector']],
    ['progress deadline not above minReadySeconds', (o) => (spec(o)['minReadySeconds'] = 600), ['spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds']],
  ];
  for (const [name, edit, want] of cases) assert.deepEqual(texts('deployments', edited(deployment(), edit)), want, name);
  const old = deployment();
  const moved = edited(old, (o) => {
    spec(o)['selector'] = { matchLabels: { app: 'web', tier: 'fe' } };
    ((spec(o)['template'] as JsonObject)['metadata'] as JsonObject)['labels'] = { app: 'web', tier: 'fe' };
  });
  assert.deepEqual(texts('deployments', moved, old), ['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"fe"}}: field is immutable']);
  assert.equal(
    invalidMessage(qualifiedKind('Deployment', 'apps'), 'web', validateObject('deployments', edited(old, (o) => (spec(o)['replicas'] = -1)))),
    'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
  );
  const rs = defaulted('replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'a:1' }] } } } });
  assert.deepEqual(texts('replicasets', rs), ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"db"}: `selector` does not match template `labels`']);
});

test('configmaps and secrets', () => {
  const cm = kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { 'app.conf': 'x', 'bad key': 'y' } });
  assert.deepEqual(texts('configmaps', cm), [
    `data[bad key]: Invalid value: "bad key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  ]);
  const big = kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: 'x'.repeat(1024 * 1024), b: 'y' } });
  assert.deepEqual(texts('configmaps', big), [': Too long: must have at most 1048576 bytes']);
  const frozen = kube({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: '1' }, immutable: true });
  assert.deepEqual(texts('configmaps', edited(frozen, (o) => (o['data'] = { a: '2' })), frozen), ['data: Forbidden: field is immutable when `immutable` is set']);

  const tls = defaulted('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } });
  assert.deepEqual(texts('secrets', tls), ['data[tls.key]: Required value']);
  const opaque = defaulted('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { k: 'v' } });
  assert.deepEqual(texts('secrets', opaque), []);
  assert.deepEqual(texts('secrets', edited(opaque, (o) => (o['type'] = 'example.com/custom')), opaque), ['type: Invalid value: "example.com/custom": field is immutable']);
  const huge = kube({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { a: Buffer.alloc(1024 * 1024 + 1).toString('base64') } });
  assert.deepEqual(texts('secrets', huge), ['data: Too long: must have at most 1048576 bytes']);
});

test('namespaces, nodes, leases, endpoint slices, endpoints, events, unknown kinds', () => {
  const ns = defaulted('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team.a' } });
  assert.deepEqual(texts('namespaces', ns), ['metadata.name: Invalid value: "team.a": must not contain dots']);
  assert.deepEqual(texts('namespaces', edited(ns, (o) => (meta(o)['name'] = 'team-a'))), []);
  assert.deepEqual(texts('namespaces', edited(ns, (o) => { meta(o)['name'] = 'team-a'; meta(o)['namespace'] = 'x'; })), ['metadata.namespace: Forbidden: not allowed on this type']);

  const node = kube({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1.example.com' }, spec: { podCIDRs: ['10.244.0.0/24'], taints: [{ key: 'dedicated', value: 'gpu' }] } });
  assert.deepEqual(texts('nodes', node), ['spec.taints[0].effect: Required value']);
  assert.deepEqual(texts('nodes', edited(node, (o) => (spec(o)['podCIDRs'] = ['10.244.0.0/33']))).at(0), 'spec.podCIDRs[0]: Invalid value: "10.244.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)');

  const lease = kube({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 0 } });
  assert.deepEqual(texts('leases', lease), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);

  const slice = kube({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: [] }, { addresses: ['fd00::1'] }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  });
  assert.deepEqual(texts('endpointslices', slice), ['endpoints[1].addresses: Required value: must contain at least 1 address', 'endpoints[2].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address']);
  assert.deepEqual(texts('endpointslices', edited(slice, (o) => (o['addressType'] = 'IPX'))).at(0), 'addressType: Unsupported value: "IPX": supported values: "FQDN", "IPv4", "IPv6"');

  const endpoints = kube({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: 'x' }], ports: [{ port: 80, protocol: 'TCP' }] }] });
  assert.deepEqual(texts('endpoints', endpoints), ['subsets[0].addresses[0].ip: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);

  const event = kube({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'p.123', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } });
  assert.deepEqual(texts('events', event), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  const nodeEvent = kube({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'n1.123', namespace: 'default' }, involvedObject: { kind: 'Node', name: 'n1' } });
  assert.deepEqual(texts('events', nodeEvent), []);

  const widget = kube({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'Bad_Name', namespace: 'default' }, spec: { anything: true } });
  assert.equal(texts('widgets', widget).length, 1);
});
