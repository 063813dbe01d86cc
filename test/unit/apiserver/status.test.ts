// Status bodies and content negotiation: the shapes clients branch on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeletError, ErrorCode } from '../../../src/base/errors.js';
import { aggregateCauses, conflict, invalid, notFound, forbidden, methodNotSupported, successStatus, toApiError } from '../../../src/apiserver/status.js';
import { negotiate } from '../../../src/apiserver/negotiation.js';

test('Status builders word messages and details as apimachinery does', () => {
  assert.deepEqual(notFound({ group: 'apps', resource: 'deployments' }, 'd').status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'deployments.apps "d" not found',
    reason: 'NotFound',
    details: { name: 'd', group: 'apps', kind: 'deployments' },
    code: 404,
  });
  assert.equal(conflict({ group: '', resource: 'pods' }, 'p', 'why').message, 'Operation cannot be fulfilled on pods "p": why');
  const inv = invalid({ group: 'apps', kind: 'Deployment' }, 'd', [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }]);
  assert.equal(inv.message, 'Deployment.apps "d" is invalid: spec.selector: Required value');
  assert.equal(inv.code, 422);
  assert.equal(aggregateCauses([{ message: 'a', field: 'x' }, { message: 'b', field: 'y' }]), '[x: a, y: b]');
  assert.equal(forbidden({ group: '', resource: 'pods' }, '', 'no').message, 'pods is forbidden: no');
  assert.equal(methodNotSupported({ group: '', resource: 'namespaces' }, 'deletecollection').message, 'deletecollection is not supported on resources of kind "namespaces"');
  assert.deepEqual(successStatus({ group: '', resource: 'configmaps' }, 'c', 'u'), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: 'c', kind: 'configmaps', uid: 'u' },
  });
});

test('store errors map to their Status; anything else is a 500 with the cause', () => {
  const r = { group: '', resource: 'pods' };
  assert.equal(toApiError(new NodeletError(ErrorCode.NotFound, 'x'), r, 'p').code, 404);
  assert.equal(toApiError(new NodeletError(ErrorCode.AlreadyExists, 'x'), r, 'p').reason, 'AlreadyExists');
  assert.equal(toApiError(new NodeletError(ErrorCode.Conflict, 'x'), r, 'p').reason, 'Conflict');
  assert.equal(toApiError(new NodeletError(ErrorCode.Gone, 'x'), r, 'p').code, 410);
  const internal = toApiError(new Error('boom'));
  assert.equal(internal.code, 500);
  assert.equal(internal.message, 'Internal error occurred: boom');
});

test('negotiation: JSON, Table, metadata; protobuf only is 406', () => {
  const opts = { table: true, metadata: true };
  assert.equal(negotiate(undefined, opts), 'object');
  assert.equal(negotiate('*/*', opts), 'object');
  assert.equal(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', opts), 'table');
  assert.equal(negotiate('application/json;as=Table;v=v1;g=meta.k8s.io,application/json', { table: false, metadata: false }), 'object');
  assert.equal(negotiate('application/vnd.kubernetes.protobuf,application/json', opts), 'object');
  assert.equal(negotiate('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', opts), 'metadata');
  assert.equal(
    negotiate('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', opts),
    'object',
  );
  assert.throws(() => negotiate('application/vnd.kubernetes.protobuf', opts), (e: unknown) => e instanceof Error && 'code' in e && e.code === 406);
  assert.equal(negotiate('application/json;q=0, */*;q=0.5', opts), 'object');
});
