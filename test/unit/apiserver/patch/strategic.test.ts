import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, httpStatusForPatchError } from '../../../../src/apiserver/patch/index.js';
import type { JsonObject } from '../../../../src/api/object.js';

function pod(spec: JsonObject, metadata: JsonObject = { name: 'p' }): JsonObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

interface Case {
  name: string;
  kind?: string;
  original: JsonObject;
  patch: JsonObject;
  want: JsonObject;
}

const cases: Case[] = [
  {
    name: 'containers merge by name; a new one follows the patch order',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }] }),
    patch: { spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }] } },
    want: pod({ containers: [{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }] }),
  },
  {
    name: 'a new element only, placed before the server-only ones',
    original: pod({ containers: [{ name: 'a', image: 'a:1' }] }),
    patch: { spec: { containers: [{ name: 'z', image: 'z:1' }] } },
    want: pod({ containers: [{ name: 'z', image: 'z:1' }, { name: 'a', image: 'a:1' }] }),
  },
  {
    name: 'env merges by name inside a container; null deletes a field',
    original: pod({ containers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] }),
    patch: { spec: { containers: [{ name: 'a', env: [{ name: 'B', value: '3' }], image: null }] } },
    want: pod({ containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }] }] }),
  },
  {
    name: 'ports merge by containerPort, volumeMounts by mountPath',
    original: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'v', mountPath: '/d' }] }] }),
    patch: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }], volumeMounts: [{ mountPath: '/d', readOnly: true }] }] } },
    want: pod({ containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }], volumeMounts: [{ name: 'v', mountPath: '/d', readOnly: true }] }] }),
  },
  {
    name: '$patch: delete removes a list element by key',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }], volumes: [{ name: 'v1', emptyDir: {} }, { name: 'v2', emptyDir: {} }] }),
    patch: { spec: { containers: [{ name: 'a', $patch: 'delete' }], volumes: [{ name: 'v2', $patch: 'delete' }] } },
    want: pod({ containers: [{ name: 'b' }], volumes: [{ name: 'v1', emptyDir: {} }] }),
  },
  {
    name: '$patch: replace on a list element replaces the whole list',
    original: pod({ containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }] }),
    patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'c' }] } },
    want: pod({ containers: [{ name: 'c', image: 'c' }] }),
  },
  {
    name: '$patch: replace on a map replaces the map',
    original: pod({ nodeSelector: { a: '1', b: '2' }, containers: [] }),
    patch: { spec: { nodeSelector: { $patch: 'replace', c: '3' } } },
    want: pod({ nodeSelector: { c: '3' }, containers: [] }),
  },
  {
    name: '$patch: delete on a map empties it',
    original: pod({ securityContext: { runAsUser: 1 }, containers: [] }),
    patch: { spec: { securityContext: { $patch: 'delete' } } },
    want: pod({ securityContext: {}, containers: [] }),
  },
  {
    name: 'lists without merge metadata are replaced (tolerations, args)',
    original: pod({ tolerations: [{ key: 'a', operator: 'Exists' }], containers: [{ name: 'a', args: ['x', 'y'] }] }),
    patch: { spec: { tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'a', args: ['z'] }] } },
    want: pod({ tolerations: [{ key: 'b', operator: 'Exists' }], containers: [{ name: 'a', args: ['z'] }] }),
  },
  {
    name: 'finalizers merge as a set; $deleteFromPrimitiveList removes',
    original: pod({ containers: [] }, { name: 'p', finalizers: ['a', 'b'] }),
    patch: { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: pod({ containers: [] }, { name: 'p', finalizers: ['c', 'a'] }),
  },
  {
    name: 'ownerReferences merge by uid',
    original: pod({ containers: [] }, { name: 'p', ownerReferences: [{ uid: '1', name: 'rs', kind: 'ReplicaSet', apiVersion: 'apps/v1' }] }),
    patch: { metadata: { ownerReferences: [{ uid: '1', controller: true }] } },
    want: pod({ containers: [] }, { name: 'p', ownerReferences: [{ uid: '1', name: 'rs', kind: 'ReplicaSet', apiVersion: 'apps/v1', controller: true }] }),
  },
  {
    name: '$setElementOrder orders the merged list',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }], containers: [{ name: 'a', image: 'new' }] } },
    want: pod({ containers: [{ name: 'c' }, { name: 'a', image: 'new' }, { name: 'b' }] }),
  },
  {
    name: 'kubectl apply dropping an env var: a delete directive next to $setElementOrder',
    original: pod({ containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }] }] }),
    patch: { spec: { containers: [{ name: 'a', '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }, { name: 'C', value: '4' }] }] } },
    want: pod({ containers: [{ name: 'a', env: [{ name: 'A', value: '1' }, { name: 'C', value: '4' }] }] }),
  },
  {
    name: '$setElementOrder without the list itself reorders the current list',
    original: pod({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } },
    want: pod({ containers: [{ name: 'b' }, { name: 'a' }] }),
  },
  {
    name: '$retainKeys clears members of a union the patch does not keep',
    kind: 'Deployment',
    original: { kind: 'Deployment', spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    want: { kind: 'Deployment', spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: 'volumes keep one source with $retainKeys',
    original: pod({ containers: [], volumes: [{ name: 'v', emptyDir: {} }] }),
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } },
    want: pod({ containers: [], volumes: [{ name: 'v', configMap: { name: 'cm' } }] }),
  },
  {
    name: 'service ports merge by port; node conditions and addresses merge by type',
    kind: 'Node',
    original: { kind: 'Node', status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'MemoryPressure', status: 'False' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
    patch: { status: { '$setElementOrder/conditions': [{ type: 'MemoryPressure' }, { type: 'Ready' }], conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n1' }] } },
    want: {
      kind: 'Node',
      status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }], addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.1' }] },
    },
  },
  {
    name: 'service ports merge by port',
    kind: 'Service',
    original: { kind: 'Service', spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] } },
    patch: { spec: { ports: [{ port: 80, targetPort: 9090 }] } },
    want: { kind: 'Service', spec: { ports: [{ port: 80, targetPort: 9090, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] } },
  },
  {
    name: 'directives inside a value the original lacks are resolved, not copied',
    original: pod({ containers: [{ name: 'a' }] }),
    patch: { spec: { initContainers: [{ name: 'i', env: [{ name: 'X', $patch: 'delete' }, { name: 'Y', value: '1' }] }] } },
    want: pod({ containers: [{ name: 'a' }], initContainers: [{ name: 'i', env: [{ name: 'Y', value: '1' }] }] }),
  },
  {
    name: 'null for an absent field is ignored; a type change replaces',
    original: pod({ containers: [], hostname: 'h' }),
    patch: { spec: { subdomain: null, hostname: { weird: true } } },
    want: pod({ containers: [], hostname: { weird: true } }),
  },
  {
    name: 'configmap data merges key by key',
    kind: 'ConfigMap',
    original: { kind: 'ConfigMap', data: { a: '1', b: '2' } },
    patch: { data: { b: null, c: '3' } },
    want: { kind: 'ConfigMap', data: { a: '1', c: '3' } },
  },
];

test('strategic merge patch: table of merge keys and directives', () => {
  for (const c of cases) {
    const original = structuredClone(c.original);
    assert.deepEqual(applyStrategicMergePatch(c.kind ?? 'Pod', c.original, c.patch), c.want, c.name);
    assert.deepEqual(c.original, original, `${c.name}: original untouched`);
  }
});

test('strategic merge patch errors carry upstream statuses', () => {
  const p = pod({ containers: [{ name: 'a' }] });
  const errs: Array<[string, JsonObject, number, RegExp]> = [
    ['Pod', { spec: { containers: [{ image: 'x' }] } }, 400, /does not contain declared merge key: name/],
    ['Pod', { spec: { containers: [{ $patch: 'merge', name: 'a' }] } }, 400, /merging lists cannot yet be specified/],
    ['Pod', { spec: { $patch: 'explode' } }, 400, /Unknown patch type: explode/],
    ['Pod', { spec: { $retainKeys: 'x' } }, 400, /invalid patch format of retainKeys/],
    ['Pod', { spec: { $retainKeys: ['containers'], hostname: 'h' } }, 422, /doesn't match retainKeys list/],
    ['Pod', { spec: { '$setElementOrder/containers': 'x' } }, 400, /setElementOrder/],
    ['Pod', { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }, { name: 'a' }] } }, 400, /doesn't match \$setElementOrder list/],
    ['Pod', { metadata: { '$deleteFromPrimitiveList/finalizers': 'x' } }, 400, /primitive list/],
    ['Widget', { spec: {} }, 415, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/],
  ];
  for (const [kind, patch, status, message] of errs) {
    assert.throws(
      () => applyStrategicMergePatch(kind, p, patch),
      (err: unknown) => {
        assert.equal(httpStatusForPatchError(err), status, JSON.stringify(patch));
        assert.match((err as Error).message, message);
        return true;
      },
    );
  }
});

// What `kubectl apply` (client-side) sends for a Deployment whose manifest changed the image,
// changed one env var and dropped a label: CreateThreeWayMergePatch(last-applied, new, live).
test('a kubectl client-side apply patch changes what changed and nothing else', () => {
  const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web","tier":"fe"},"name":"web","namespace":"default"}}\n';
  const live: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '7',
      generation: 1,
      labels: { app: 'web', tier: 'fe' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied, 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              env: [
                { name: 'MODE', value: 'prod' },
                { name: 'LEVEL', value: 'info' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              imagePullPolicy: 'IfNotPresent',
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              resources: {},
            },
            { name: 'sidecar', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent' },
          ],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          securityContext: {},
        },
      },
    },
    status: { replicas: 2, readyReplicas: 2 },
  };
  const newLastApplied = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web"}}\n';
  const patch: JsonObject = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': newLastApplied }, labels: { tier: null } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [
            {
              '$setElementOrder/env': [{ name: 'MODE' }, { name: 'LEVEL' }],
              env: [{ name: 'LEVEL', value: 'debug' }],
              image: 'nginx:1.27',
              name: 'web',
            },
          ],
        },
      },
    },
  };
  const got = applyStrategicMergePatch('Deployment', live, patch);
  const want = structuredClone(live);
  const wantMeta = want['metadata'] as { labels: Record<string, string>; annotations: Record<string, string> };
  delete wantMeta.labels['tier'];
  wantMeta.annotations['kubectl.kubernetes.io/last-applied-configuration'] = newLastApplied;
  const wantWeb = ((want['spec'] as JsonObject)['template'] as { spec: { containers: JsonObject[] } }).spec.containers[0] as JsonObject;
  wantWeb['image'] = 'nginx:1.27';
  wantWeb['env'] = [
    { name: 'MODE', value: 'prod' },
    { name: 'LEVEL', value: 'debug' },
  ];
  assert.deepEqual(got, want);
  assert.deepEqual(Object.keys(wantWeb), Object.keys(((got['spec'] as JsonObject)['template'] as { spec: { containers: JsonObject[] } }).spec.containers[0] ?? {}));
});
