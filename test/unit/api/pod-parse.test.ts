import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import { parsePod } from '../../../src/api/pod-parse.js';

type Obj = Record<string, unknown>;

function basePod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'u-1', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] },
  };
}

/** A copy of basePod() with `edit` applied to it. */
function podWith(edit: (p: Obj) => void): Obj {
  const p = basePod();
  edit(p);
  return p;
}

const spec = (p: Obj): Obj => p['spec'] as Obj;
const meta = (p: Obj): Obj => p['metadata'] as Obj;
const c0 = (p: Obj): Obj => (spec(p)['containers'] as Obj[])[0] as Obj;

function expectInvalid(value: unknown, message: string): void {
  assert.throws(
    () => parsePod(value),
    (err: unknown) => {
      assert.ok(isNodeletError(err, ErrorCode.InvalidArgument), `not InvalidArgument: ${String(err)}`);
      assert.equal(err.message, message);
      return true;
    },
  );
}

describe('parsePod rejects', () => {
  const cases: Array<[string, unknown, string]> = [
    ['a non-object', 'pod', '<root>: must be an object'],
    ['another apiVersion', podWith((p) => (p['apiVersion'] = 'apps/v1')), 'apiVersion: must be "v1"'],
    ['another kind', podWith((p) => (p['kind'] = 'Service')), 'kind: must be "Pod"'],
    ['no metadata', podWith((p) => delete p['metadata']), 'metadata: required'],
    ['no name', podWith((p) => delete meta(p)['name']), 'metadata.name: required'],
    ['an empty name', podWith((p) => (meta(p)['name'] = '')), 'metadata.name: required'],
    ['no namespace', podWith((p) => delete meta(p)['namespace']), 'metadata.namespace: required'],
    ['no uid', podWith((p) => delete meta(p)['uid']), 'metadata.uid: required'],
    ['a non-string label', podWith((p) => (meta(p)['labels'] = { a: 1 })), 'metadata.labels["a"]: must be a string'],
    ['no spec', podWith((p) => delete p['spec']), 'spec: required'],
    ['no containers', podWith((p) => (spec(p)['containers'] = [])), 'spec.containers: must have at least one container'],
    ['containers not a list', podWith((p) => (spec(p)['containers'] = {})), 'spec.containers: must be an array'],
    ['an image of the wrong type', podWith((p) => (c0(p)['image'] = 5)), 'spec.containers[0].image: must be a string'],
    ['a missing image', podWith((p) => delete c0(p)['image']), 'spec.containers[0].image: required'],
    ['an empty container name', podWith((p) => (c0(p)['name'] = '')), 'spec.containers[0].name: must not be empty'],
    ['a bad command', podWith((p) => (c0(p)['command'] = ['sh', 3])), 'spec.containers[0].command[1]: must be a string'],
    ['a port out of range', podWith((p) => (c0(p)['ports'] = [{ containerPort: 70000 }])), 'spec.containers[0].ports[0].containerPort: must be between 1 and 65535, inclusive'],
    ['a fractional port', podWith((p) => (c0(p)['ports'] = [{ containerPort: 80.5 }])), 'spec.containers[0].ports[0].containerPort: must be an integer'],
    ['a bad protocol', podWith((p) => (c0(p)['ports'] = [{ containerPort: 80, protocol: 'tcp' }])), 'spec.containers[0].ports[0].protocol: must be one of "TCP", "UDP", "SCTP"'],
    ['a bad restartPolicy', podWith((p) => (spec(p)['restartPolicy'] = 'Sometimes')), 'spec.restartPolicy: must be one of "Always", "OnFailure", "Never"'],
    ['a negative grace period', podWith((p) => (spec(p)['terminationGracePeriodSeconds'] = -1)), 'spec.terminationGracePeriodSeconds: must be greater than or equal to 0'],
    ['a probe without a handler', podWith((p) => (c0(p)['livenessProbe'] = { periodSeconds: 1 })), 'spec.containers[0].livenessProbe: must specify exactly one handler (exec, httpGet, tcpSocket, grpc)'],
    ['an httpGet without a port', podWith((p) => (c0(p)['readinessProbe'] = { httpGet: { path: '/' } })), 'spec.containers[0].readinessProbe.httpGet.port: required'],
    ['an env var with two sources', podWith((p) => (c0(p)['env'] = [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { key: 'k' } } }])), 'spec.containers[0].env[0].valueFrom: must specify exactly one of fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef'],
    ['a bad resource quantity', podWith((p) => (c0(p)['resources'] = { limits: { cpu: true } })), 'spec.containers[0].resources.limits["cpu"]: must be a quantity (a string such as "100m" or "1Gi")'],
    ['duplicate container names', podWith((p) => (spec(p)['initContainers'] = [{ name: 'c', image: 'x' }])), 'spec.initContainers[0].name: Duplicate value: "c"'],
    ['a volume without a name', podWith((p) => (spec(p)['volumes'] = [{ emptyDir: {} }])), 'spec.volumes[0].name: required'],
    ['a volume without a source', podWith((p) => (spec(p)['volumes'] = [{ name: 'v' }])), 'spec.volumes[0]: must specify a volume type'],
    ['a volume with two sources', podWith((p) => (spec(p)['volumes'] = [{ name: 'v', emptyDir: {}, nfs: {} }])), 'spec.volumes[0]: may not specify more than 1 volume type (found emptyDir, nfs)'],
    ['a hostPath without a path', podWith((p) => (spec(p)['volumes'] = [{ name: 'v', hostPath: {} }])), 'spec.volumes[0].hostPath.path: required'],
    ['a bad hostPath type', podWith((p) => (spec(p)['volumes'] = [{ name: 'v', hostPath: { path: '/x', type: 'Dir' } }])), 'spec.volumes[0].hostPath.type: must be one of "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"'],
    ['a bad defaultMode', podWith((p) => (spec(p)['volumes'] = [{ name: 'v', secret: { secretName: 's', defaultMode: 0o1000 } }])), 'spec.volumes[0].secret.defaultMode: must be between 0 and 511, inclusive'],
    ['duplicate volume names', podWith((p) => (spec(p)['volumes'] = [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {} }])), 'spec.volumes[1].name: Duplicate value: "v"'],
    ['a mount of an unknown volume', podWith((p) => (c0(p)['volumeMounts'] = [{ name: 'data', mountPath: '/data' }])), 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ['a bad status phase', podWith((p) => (p['status'] = { phase: 'Done' })), 'status.phase: must be one of "Pending", "Running", "Succeeded", "Failed", "Unknown"'],
    ['a bad ownerReference', podWith((p) => (meta(p)['ownerReferences'] = [{ kind: 'Node' }])), 'metadata.ownerReferences[0].apiVersion: required'],
  ];
  for (const [name, value, message] of cases) {
    it(name, () => expectInvalid(value, message));
  }
});

describe('parsePod accepts', () => {
  it('a minimal pod, keeping only known fields', () => {
    const raw = podWith((p) => {
      meta(p)['managedFields'] = [{ manager: 'kubectl' }];
      spec(p)['preemptionPolicy'] = 'PreemptLowerPriority';
      spec(p)['nodeName'] = null;
    });
    const pod = parsePod(raw);
    assert.deepEqual(pod, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', uid: 'u-1', labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] },
    });
    assert.notEqual(pod.metadata, raw['metadata'], 'a fresh object, not the input');
  });

  it('a full pod with volumes, probes, env and status', () => {
    const raw = podWith((p) => {
      Object.assign(spec(p), {
        restartPolicy: 'OnFailure',
        hostNetwork: false,
        tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
        volumes: [
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          { name: 'cfg', configMap: { name: 'cm', items: [{ key: 'a', path: 'a.txt', mode: 0o600 }], defaultMode: 0o644 } },
          { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
          { name: 'all', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }] } },
        ],
      });
      Object.assign(c0(p), {
        env: [{ name: 'A', value: '1' }, { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { limits: { cpu: 1, memory: '64Mi' } },
        volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }],
        livenessProbe: { httpGet: { port: 'http', path: '/healthz' }, periodSeconds: 5 },
        lifecycle: { preStop: { sleep: { seconds: 2 } } },
      });
      p['status'] = {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null }],
        podIPs: [{ ip: '10.0.0.5' }],
        containerStatuses: [{ name: 'c', state: { running: { startedAt: '2024-01-01T00:00:00Z' } } }],
      };
    });
    const pod = parsePod(raw);
    assert.equal(pod.spec.restartPolicy, 'OnFailure');
    assert.deepEqual(pod.spec.volumes?.[0], { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
    assert.equal(pod.spec.volumes?.[1]?.configMap?.items?.[0]?.mode, 0o600);
    assert.equal(pod.spec.containers[0]?.resources?.limits?.['cpu'], '1', 'numeric quantities become strings');
    assert.equal(pod.spec.containers[0]?.livenessProbe?.httpGet?.port, 'http');
    assert.deepEqual(pod.status?.conditions, [{ type: 'Ready', status: 'True' }], 'null lastProbeTime is absent');
    assert.deepEqual(pod.status?.containerStatuses?.[0], {
      name: 'c',
      state: { running: { startedAt: '2024-01-01T00:00:00Z' } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image: '',
      imageID: '',
    });
  });

  it('keeps a volume of an unsupported source, by source name', () => {
    const pod = parsePod(
      podWith((p) => {
        spec(p)['volumes'] = [
          { name: 'data', persistentVolumeClaim: { claimName: 'pvc' } },
          { name: 'remote', nfs: { server: 'x', path: '/' } },
        ];
        c0(p)['volumeMounts'] = [{ name: 'data', mountPath: '/data' }];
      }),
    );
    assert.deepEqual(pod.spec.volumes, [
      { name: 'data', unsupported: 'persistentVolumeClaim' },
      { name: 'remote', unsupported: 'nfs' },
    ]);
  });

  it('parses JSON that went through a YAML round trip (null optional fields)', () => {
    const pod = parsePod(podWith((p) => (meta(p)['creationTimestamp'] = null)));
    assert.equal(pod.metadata.creationTimestamp, undefined);
  });
});
