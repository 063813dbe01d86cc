import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, defaultPullPolicy } from '../../../src/apiserver/defaults/index.js';
import type { JsonObject, KubeObject } from '../../../src/api/object.js';

function obj(kind: string, body: JsonObject, metadata: JsonObject = { name: 'x', namespace: 'default' }): KubeObject {
  return { apiVersion: kind === 'Deployment' || kind === 'ReplicaSet' ? 'apps/v1' : 'v1', kind, ...body, metadata } as unknown as KubeObject;
}

function defaulted(resource: string, o: KubeObject): JsonObject {
  applyDefaults(resource, o);
  return o as unknown as JsonObject;
}

const CONTAINER_DEFAULTS = {
  imagePullPolicy: 'Always',
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
};

const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

test('a minimal pod gets upstream spec, admission and status defaults', () => {
  const pod = defaulted('pods', obj('Pod', { spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
  assert.deepEqual(pod['spec'], {
    containers: [{ name: 'c', image: 'nginx', ...CONTAINER_DEFAULTS }],
    enableServiceLinks: true,
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    tolerations: DEFAULT_TOLERATIONS,
  });
  assert.deepEqual(pod['status'], { phase: 'Pending', qosClass: 'BestEffort' });
});

test('defaulting is idempotent and keeps what the user set', () => {
  const spec = {
    restartPolicy: 'Never',
    dnsPolicy: 'Default',
    terminationGracePeriodSeconds: 0,
    serviceAccountName: 'builder',
    containers: [{ name: 'c', image: 'busybox:1.36', imagePullPolicy: 'Never', ports: [{ containerPort: 53, protocol: 'UDP' }] }],
  };
  const once = defaulted('pods', obj('Pod', { spec: structuredClone(spec) }));
  const twice = defaulted('pods', structuredClone(once) as unknown as KubeObject);
  assert.deepEqual(twice, once);
  const s = once['spec'] as JsonObject;
  assert.equal(s['restartPolicy'], 'Never');
  assert.equal(s['dnsPolicy'], 'Default');
  assert.equal(s['terminationGracePeriodSeconds'], 0);
  assert.equal(s['serviceAccountName'], 'builder');
  assert.equal(s['serviceAccount'], 'builder');
  assert.deepEqual((s['containers'] as JsonObject[])[0]?.['ports'], [{ containerPort: 53, protocol: 'UDP' }]);
  assert.equal((s['containers'] as JsonObject[])[0]?.['imagePullPolicy'], 'Never');
});

test('image pull policy: Always for latest or no tag, IfNotPresent otherwise', () => {
  const cases: Array<[string, string]> = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.27', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v2', 'IfNotPresent'],
    ['registry.example.com/team/app:latest', 'Always'],
    ['nginx@sha256:0123456789abcdef', 'IfNotPresent'],
    ['nginx:1.27@sha256:0123456789abcdef', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) assert.equal(defaultPullPolicy(image), want, image);
});

test('containers: ports, probes, lifecycle handlers and env field refs', () => {
  const pod = defaulted(
    'pods',
    obj('Pod', {
      spec: {
        initContainers: [{ name: 'i', image: 'busybox:1' }],
        containers: [
          {
            name: 'c',
            image: 'app:1',
            ports: [{ containerPort: 80 }],
            livenessProbe: { httpGet: { port: 80 } },
            readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
            startupProbe: { grpc: { port: 9000 } },
            lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          },
        ],
      },
    }),
  );
  const spec = pod['spec'] as JsonObject;
  const c = (spec['containers'] as JsonObject[])[0] ?? {};
  assert.deepEqual(c['ports'], [{ containerPort: 80, protocol: 'TCP' }]);
  assert.deepEqual(c['livenessProbe'], { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual(c['readinessProbe'], { tcpSocket: { port: 80 }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
  assert.deepEqual((c['startupProbe'] as JsonObject)['grpc'], { port: 9000, service: '' });
  assert.deepEqual(c['lifecycle'], { preStop: { httpGet: { port: 80, path: '/stop', scheme: 'HTTP' } } });
  assert.deepEqual(c['env'], [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }]);
  assert.equal((spec['initContainers'] as JsonObject[])[0]?.['imagePullPolicy'], 'IfNotPresent');
});

test('volumes: a source-less volume is an emptyDir; file modes 0644; hostPath type ""', () => {
  const pod = defaulted(
    'pods',
    obj('Pod', {
      spec: {
        containers: [{ name: 'c', image: 'a:1' }],
        volumes: [
          { name: 'scratch' },
          { name: 'cfg', configMap: { name: 'cm' } },
          { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
          { name: 'host', hostPath: { path: '/var/log' } },
          { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        ],
      },
    }),
  );
  assert.deepEqual((pod['spec'] as JsonObject)['volumes'], [
    { name: 'scratch', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } },
    { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
    { name: 'host', hostPath: { path: '/var/log', type: '' } },
    { name: 'dapi', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels', apiVersion: 'v1' } }], defaultMode: 420 } },
    { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }], defaultMode: 420 } },
  ]);
});

test('pod-only defaults: requests from limits (Guaranteed), hostNetwork host ports', () => {
  const pod = defaulted(
    'pods',
    obj('Pod', {
      spec: {
        hostNetwork: true,
        containers: [{ name: 'c', image: 'a:1', ports: [{ containerPort: 8080 }], resources: { limits: { cpu: '500m', memory: '64Mi' } } }],
      },
    }),
  );
  const c = ((pod['spec'] as JsonObject)['containers'] as JsonObject[])[0] ?? {};
  assert.deepEqual(c['resources'], { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '500m', memory: '64Mi' } });
  assert.deepEqual(c['ports'], [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
  assert.equal((pod['status'] as JsonObject)['qosClass'], 'Guaranteed');
  const burstable = defaulted('pods', obj('Pod', { spec: { containers: [{ name: 'c', image: 'a:1', resources: { requests: { cpu: '1' } } }] } }));
  assert.equal((burstable['status'] as JsonObject)['qosClass'], 'Burstable');
});

test('DefaultTolerationSeconds only adds what existing tolerations do not cover', () => {
  const own = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
  const pod = defaulted('pods', obj('Pod', { spec: { containers: [{ name: 'c', image: 'a:1' }], tolerations: [own] } }));
  assert.deepEqual((pod['spec'] as JsonObject)['tolerations'], [own, DEFAULT_TOLERATIONS[1]]);
  const all = { operator: 'Exists' };
  const tolerant = defaulted('pods', obj('Pod', { spec: { containers: [{ name: 'c', image: 'a:1' }], tolerations: [all] } }));
  assert.deepEqual((tolerant['spec'] as JsonObject)['tolerations'], [all]);
});

test('mirror pods get no service account; a pod with a status keeps it', () => {
  const mirror = defaulted(
    'pods',
    obj('Pod', { spec: { containers: [{ name: 'c', image: 'a:1' }] }, status: { phase: 'Running' } }, { name: 'm', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'abc' } }),
  );
  assert.equal((mirror['spec'] as JsonObject)['serviceAccountName'], undefined);
  assert.deepEqual(mirror['status'], { phase: 'Running' });
});

test('services: type, affinity, ports, traffic policies and IP families', () => {
  const cases: Array<[string, JsonObject, JsonObject]> = [
    [
      'ClusterIP',
      { selector: { app: 'web' }, ports: [{ port: 80 }] },
      {
        selector: { app: 'web' },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
    ],
    [
      'NodePort with a named target port and an allocated IP',
      { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }] },
      {
        type: 'NodePort',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [{ port: 80, targetPort: 'http', nodePort: 30080, protocol: 'TCP' }],
        sessionAffinity: 'None',
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
    ],
    [
      'LoadBalancer with ClientIP affinity',
      { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 443, targetPort: 0 }] },
      {
        type: 'LoadBalancer',
        sessionAffinity: 'ClientIP',
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ports: [{ port: 443, targetPort: 443, protocol: 'TCP' }],
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        allocateLoadBalancerNodePorts: true,
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
    ],
    ['ExternalName', { type: 'ExternalName', externalName: 'db.example.com' }, { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' }],
    [
      'headless without selector',
      { clusterIP: 'None', ports: [{ port: 5432 }] },
      {
        clusterIP: 'None',
        clusterIPs: ['None'],
        ports: [{ port: 5432, protocol: 'TCP', targetPort: 5432 }],
        type: 'ClusterIP',
        sessionAffinity: 'None',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'RequireDualStack',
        ipFamilies: ['IPv4'],
      },
    ],
  ];
  for (const [name, spec, want] of cases) {
    const svc = defaulted('services', obj('Service', { spec }));
    assert.deepEqual(svc['spec'], want, name);
    assert.deepEqual(svc['status'], { loadBalancer: {} }, name);
  }
});

test('deployments and replicasets: replicas, strategy, limits and template defaults', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } };
  const d = defaulted('deployments', obj('Deployment', { spec: { selector: { matchLabels: { app: 'web' } }, template: structuredClone(template) } }));
  const spec = d['spec'] as JsonObject;
  assert.equal(spec['replicas'], 1);
  assert.deepEqual(spec['strategy'], { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec['revisionHistoryLimit'], 10);
  assert.equal(spec['progressDeadlineSeconds'], 600);
  const podSpec = (spec['template'] as JsonObject)['spec'] as JsonObject;
  assert.deepEqual(podSpec, {
    containers: [{ name: 'web', image: 'nginx:1.27', ...CONTAINER_DEFAULTS, imagePullPolicy: 'IfNotPresent' }],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
  });
  const recreate = defaulted('deployments', obj('Deployment', { spec: { replicas: 0, strategy: { type: 'Recreate' }, template: structuredClone(template) } }));
  assert.deepEqual((recreate['spec'] as JsonObject)['strategy'], { type: 'Recreate' });
  assert.equal((recreate['spec'] as JsonObject)['replicas'], 0);
  const rs = defaulted('replicasets', obj('ReplicaSet', { spec: { template: structuredClone(template) } }));
  assert.equal((rs['spec'] as JsonObject)['replicas'], 1);
  assert.equal(((((rs['spec'] as JsonObject)['template'] as JsonObject)['spec'] as JsonObject)['restartPolicy']), 'Always');
});

test('namespaces, secrets, nodes, endpoint slices; unknown resources untouched', () => {
  const ns = defaulted('namespaces', obj('Namespace', {}, { name: 'team-a' }));
  assert.deepEqual(ns['metadata'], { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } });
  assert.deepEqual(ns['spec'], { finalizers: ['kubernetes'] });
  assert.deepEqual(ns['status'], { phase: 'Active' });

  const secret = defaulted('secrets', obj('Secret', { stringData: { password: 's3cret' }, data: { user: 'YWRtaW4=' } }));
  assert.equal(secret['type'], 'Opaque');
  assert.deepEqual(secret['data'], { user: 'YWRtaW4=', password: 'czNjcmV0' });
  assert.equal(secret['stringData'], undefined);

  const node = defaulted('nodes', obj('Node', { status: { capacity: { cpu: '2', pods: '110' } } }, { name: 'n1' }));
  assert.deepEqual((node['status'] as JsonObject)['allocatable'], { cpu: '2', pods: '110' });

  const slice = defaulted('endpointslices', obj('EndpointSlice', { addressType: 'IPv4', ports: [{ port: 80 }] }));
  assert.deepEqual(slice['ports'], [{ port: 80, protocol: 'TCP', name: '' }]);

  const lease = obj('Lease', { spec: { holderIdentity: 'n1' } });
  const before = structuredClone(lease);
  applyDefaults('leases', lease);
  applyDefaults('widgets', lease);
  assert.deepEqual(lease, before);
});
