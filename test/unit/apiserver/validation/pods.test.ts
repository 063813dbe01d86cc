import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalidMessage, validateObject } from '../../../../src/apiserver/validation/index.js';
import type { JsonObject } from '../../../../src/api/object.js';
import { at, edited, json, pod, texts } from './fixtures.js';

const spec = (o: JsonObject): JsonObject => o['spec'] as JsonObject;
const containers = (o: JsonObject): JsonObject[] => spec(o)['containers'] as JsonObject[];
const meta = (o: JsonObject): JsonObject => o['metadata'] as JsonObject;

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('a valid, defaulted pod has no causes', () => {
  assert.deepEqual(validateObject('pods', pod()), []);
});

test('pod create: each mistake gives upstream field error text', () => {
  const cases: Array<[string, (o: JsonObject) => void, string[]]> = [
    ['no containers', (o) => (spec(o)['containers'] = []), ['spec.containers: Required value']],
    ['no image', (o) => delete at(containers(o), 0)['image'], ['spec.containers[0].image: Required value']],
    ['bad container name', (o) => (at(containers(o), 0)['name'] = 'Web'), [`spec.containers[0].name: Invalid value: "Web": ${LABEL_MSG}`]],
    [
      'init container reusing a name',
      (o) => (spec(o)['initContainers'] = [{ ...at(containers(o), 0), ports: [] }]),
      ['spec.initContainers[0].name: Duplicate value: "web"'],
    ],
    [
      'port out of range',
      (o) => (at(at(containers(o), 0)['ports'] as JsonObject[], 0)['containerPort'] = 70000),
      ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ],
    [
      'bad protocol',
      (o) => (at(at(containers(o), 0)['ports'] as JsonObject[], 0)['protocol'] = 'HTTP'),
      ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ],
    [
      'duplicate port names',
      (o) => (at(containers(o), 0)['ports'] = [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 81, name: 'http', protocol: 'TCP' }]),
      ['spec.containers[0].ports[1].name: Duplicate value: "http"'],
    ],
    ['bad restart policy', (o) => (spec(o)['restartPolicy'] = 'Sometimes'), ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    ['bad dns policy', (o) => (spec(o)['dnsPolicy'] = 'Google'), ['spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
    ['bad pull policy', (o) => (at(containers(o), 0)['imagePullPolicy'] = 'Sometimes'), ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']],
    [
      'two volume sources (and its mount then points nowhere)',
      (o) => (spec(o)['volumes'] = [{ name: 'data', emptyDir: {}, hostPath: { path: '/x', type: '' } }]),
      ['spec.volumes[0].emptyDir: Forbidden: may not specify more than 1 volume type', 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
    [
      'no volume source',
      (o) => (spec(o)['volumes'] = [{ name: 'data' }]),
      ['spec.volumes[0]: Required value: must specify a volume type', 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ],
    [
      'duplicate volume names',
      (o) => (spec(o)['volumes'] = [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }]),
      ['spec.volumes[1].name: Duplicate value: "data"'],
    ],
    [
      'configMap without a name, mode out of range',
      (o) => (spec(o)['volumes'] = [{ name: 'data', configMap: { defaultMode: 1000 } }]),
      [
        'spec.volumes[0].configMap.name: Required value',
        'spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive',
        'spec.containers[0].volumeMounts[0].name: Not found: "data"',
      ],
    ],
    [
      'mount of a missing volume, mount path reused',
      (o) => (at(containers(o), 0)['volumeMounts'] = [{ name: 'nope', mountPath: '/a' }, { name: 'data', mountPath: '/a' }]),
      ['spec.containers[0].volumeMounts[0].name: Not found: "nope"', 'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique'],
    ],
    [
      'env: bad name, value and valueFrom together',
      (o) => (at(containers(o), 0)['env'] = [{ name: 'A=B' }, { name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }]),
      [
        `spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
        'spec.containers[0].env[1].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
      ],
    ],
    [
      'tolerations: Exists with a value, tolerationSeconds without NoExecute',
      (o) => (spec(o)['tolerations'] = [{ key: 'a', operator: 'Exists', value: 'x' }, { key: 'b', operator: 'Equal', value: 'y', effect: 'NoSchedule', tolerationSeconds: 5 }]),
      [
        'spec.tolerations[0].operator: Invalid value: {"key":"a","operator":"Exists","value":"x"}: value must be empty when `operator` is \'Exists\'',
        "spec.tolerations[1].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
      ],
    ],
    ['activeDeadlineSeconds 0', (o) => (spec(o)['activeDeadlineSeconds'] = 0), ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['ephemeral containers on create', (o) => (spec(o)['ephemeralContainers'] = [{ name: 'debug', image: 'busybox:1', imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' }]), ['spec.ephemeralContainers: Forbidden: cannot be set on create']],
    [
      'hostNetwork with a different host port',
      (o) => {
        spec(o)['hostNetwork'] = true;
        at(at(containers(o), 0)['ports'] as JsonObject[], 0)['hostPort'] = 8080;
      },
      ['spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true'],
    ],
    ['nodeSelector label', (o) => (spec(o)['nodeSelector'] = { 'disk type': 'ssd' }), [`spec.nodeSelector: Invalid value: "disk type": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`]],
  ];
  for (const [name, edit, want] of cases) {
    assert.deepEqual(texts('pods', edited(pod(), edit)), want, name);
  }
});

test('metadata: names, namespace, labels, annotations, finalizers, owners', () => {
  const cases: Array<[string, (o: JsonObject) => void, string[]]> = [
    [
      'bad name',
      (o) => (meta(o)['name'] = 'My_Pod'),
      [
        `metadata.name: Invalid value: "My_Pod": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
    ],
    ['no name', (o) => delete meta(o)['name'], ['metadata.name: Required value: name or generateName is required']],
    ['no namespace', (o) => delete meta(o)['namespace'], ['metadata.namespace: Required value']],
    ['bad label value', (o) => (meta(o)['labels'] = { app: 'a b' }), [`metadata.labels: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`]],
    ['annotations over 256 KiB', (o) => (meta(o)['annotations'] = { big: 'x'.repeat(256 * 1024) }), ['metadata.annotations: Too long: must have at most 262144 bytes']],
    ['annotation keys are case-insensitive', (o) => (meta(o)['annotations'] = { 'Example.COM/Key': 'v' }), []],
    ['unqualified finalizer', (o) => (meta(o)['finalizers'] = ['cleanup', 'example.com/cleanup']), ['metadata.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified']],
    ['owner reference without uid', (o) => (meta(o)['ownerReferences'] = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }]), ['metadata.ownerReferences.uid: Invalid value: "": must not be empty']],
  ];
  for (const [name, edit, want] of cases) assert.deepEqual(texts('pods', edited(pod(), edit)), want, name);
});

test('pod update: only images, deadlines, added tolerations may change', () => {
  const old = pod();
  const cases: Array<[string, (o: JsonObject) => void, string[] | RegExp]> = [
    ['image change', (o) => (at(containers(o), 0)['image'] = 'nginx:1.28'), []],
    ['toleration added', (o) => (spec(o)['tolerations'] = [...(spec(o)['tolerations'] as JsonObject[]), { key: 'x', operator: 'Exists' }]), []],
    ['deadline set', (o) => (spec(o)['activeDeadlineSeconds'] = 60), []],
    ['label change', (o) => (meta(o)['labels'] = { app: 'other' }), []],
    [
      'port change',
      (o) => (at(at(containers(o), 0)['ports'] as JsonObject[], 0)['containerPort'] = 8080),
      /^spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n {2}spec\.containers\[0\]\.ports\[0\]\.containerPort: 80 -> 8080$/,
    ],
    ['toleration removed', (o) => (spec(o)['tolerations'] = []), /^spec\.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds$/],
    ['name change', (o) => (meta(o)['name'] = 'q'), ['metadata.name: Invalid value: "q": field is immutable']],
  ];
  for (const [name, edit, want] of cases) {
    const got = texts('pods', edited(old, edit), old);
    if (want instanceof RegExp) {
      assert.equal(got.length, 1, `${name}: ${JSON.stringify(got)}`);
      assert.match(got[0] ?? '', want, name);
    } else {
      assert.deepEqual(got, want, name);
    }
  }
  const limited = edited(old, (o) => (spec(o)['activeDeadlineSeconds'] = 60));
  assert.deepEqual(texts('pods', edited(limited, (o) => (spec(o)['activeDeadlineSeconds'] = 120)), limited), ['spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous value']);
  assert.deepEqual(texts('pods', edited(limited, (o) => delete spec(o)['activeDeadlineSeconds']), limited), ['spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive integer to nil value']);
  const deleting = edited(old, (o) => (meta(o)['deletionTimestamp'] = '2025-01-01T00:00:00Z'));
  assert.deepEqual(texts('pods', edited(deleting, (o) => (meta(o)['finalizers'] = ['example.com/x'])), deleting), [
    'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}',
  ]);
});

test('the 422 message joins several causes as upstream aggregates', () => {
  const bad = edited(pod(), (o) => {
    delete at(containers(o), 0)['image'];
    spec(o)['restartPolicy'] = 'Sometimes';
  });
  const causes = validateObject('pods', bad);
  assert.deepEqual(causes[0], { reason: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' });
  assert.equal(
    invalidMessage('Pod', 'p', causes),
    'Pod "p" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]',
  );
  assert.equal(invalidMessage('Pod', 'p', causes.slice(0, 1)), 'Pod "p" is invalid: spec.containers[0].image: Required value');
  assert.equal(invalidMessage('Pod', 'p', []), 'Pod "p" is invalid');
  assert.equal(json(pod())['kind'], 'Pod');
});
