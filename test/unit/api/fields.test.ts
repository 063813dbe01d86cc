import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedFieldSelectors, checkFieldSelector, fieldSelectorToString, fieldsOf, matchesFields, parseFieldSelector } from '../../../src/api/fields.js';
import type { KubeObject } from '../../../src/api/object.js';
import { isNodeletError } from '../../../src/base/errors.js';

test('field selectors parse terms split on unescaped commas, first operator wins', () => {
  const cases: Array<[string, Array<[string, string, string]>]> = [
    ['', []],
    ['spec.nodeName=n1', [['spec.nodeName', '=', 'n1']]],
    ['status.phase!=Running,metadata.name==p', [['metadata.name', '==', 'p'], ['status.phase', '!=', 'Running']]],
    ['spec.nodeName=', [['spec.nodeName', '=', '']]],
    ['a=b\\,c', [['a', '=', 'b,c']]],
    ['a=b\\=c\\\\', [['a', '=', 'b=c\\']]],
    [',a=b,', [['a', '=', 'b']]],
  ];
  for (const [text, want] of cases) {
    const got = parseFieldSelector(text).requirements.map((r) => [r.field, r.operator, r.value]);
    assert.deepEqual(got, want, text);
  }
  assert.equal(fieldSelectorToString(parseFieldSelector('a=b\\,c,d!=e')), 'a=b\\,c,d!=e');
});

test('malformed field selectors are InvalidArgument', () => {
  for (const [text, message] of [
    ['spec.nodeName', /invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'/],
    ['a=b=c', /unescaped = in value/],
    ['a=b\\x', /invalid escape sequence/],
  ] as const) {
    assert.throws(() => parseFieldSelector(text), (e: unknown) => isNodeletError(e, 'InvalidArgument') && message.test(e.message), text);
  }
});

const pod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p1', namespace: 'ns' },
  spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
  status: { phase: 'Running', podIPs: [{ ip: '10.0.0.5' }], podIP: '10.0.0.5' },
};

test('fieldsOf gives each resource its selectable fields', () => {
  assert.deepEqual(fieldsOf('pods', pod), {
    'metadata.name': 'p1',
    'metadata.namespace': 'ns',
    'spec.nodeName': 'n1',
    'spec.restartPolicy': 'Always',
    'spec.schedulerName': 'default-scheduler',
    'spec.serviceAccountName': 'default',
    'spec.hostNetwork': 'true',
    'status.phase': 'Running',
    'status.podIP': '10.0.0.5',
    'status.nominatedNodeName': '',
  });
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { unschedulable: true } };
  assert.deepEqual(fieldsOf('nodes', node), { 'metadata.name': 'n1', 'spec.unschedulable': 'true' });
  const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type: 'Opaque' };
  assert.equal(fieldsOf('secrets', secret)['type'], 'Opaque');
  const event: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'd' },
    involvedObject: { kind: 'Pod', name: 'p1', namespace: 'd', uid: 'u' },
    reason: 'Started',
    source: { component: 'kubelet' },
    type: 'Normal',
  };
  const ef = fieldsOf('events', event);
  assert.equal(ef['involvedObject.name'], 'p1');
  assert.equal(ef['involvedObject.fieldPath'], '');
  assert.equal(ef['source'], 'kubelet');
  assert.deepEqual(fieldsOf('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' } }), {
    'metadata.name': 'c',
    'metadata.namespace': 'd',
  });
});

test('matching compares with "" for missing fields', () => {
  const fields = fieldsOf('pods', pod);
  const cases: Array<[string, boolean]> = [
    ['spec.nodeName=n1', true],
    ['spec.nodeName=n2', false],
    ['spec.nodeName!=n2,status.phase=Running', true],
    ['status.nominatedNodeName=', true],
    ['metadata.namespace==ns,metadata.name=p1', true],
    ['status.phase!=Running', false],
  ];
  for (const [text, want] of cases) assert.equal(matchesFields(parseFieldSelector(text), fields), want, text);
});

test('unsupported fields give upstream 400 texts; legacy spec.host is spec.nodeName', () => {
  assert.deepEqual(checkFieldSelector('pods', parseFieldSelector('spec.host=n1')).requirements, [{ field: 'spec.nodeName', operator: '=', value: 'n1' }]);
  const cases: Array<[string, string, string]> = [
    ['pods', 'spec.containers=x', 'field label not supported: spec.containers'],
    ['nodes', 'metadata.namespace=x', 'field label not supported: metadata.namespace'],
    ['configmaps', 'data.x=y', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['deployments', 'spec.replicas=1', '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
  ];
  for (const [resource, text, message] of cases) {
    assert.throws(() => checkFieldSelector(resource, parseFieldSelector(text)), (e: unknown) => isNodeletError(e, 'InvalidArgument') && e.message === message, text);
  }
  assert.ok(allowedFieldSelectors('pods').includes('status.podIP'));
  assert.deepEqual(allowedFieldSelectors('namespaces'), ['metadata.name', 'status.phase']);
  assert.deepEqual(allowedFieldSelectors('leases'), ['metadata.name', 'metadata.namespace']);
});
