import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingAccounts } from '../../../../../src/apiserver/controllers/serviceaccount/controller.js';

test('an active namespace lacks the accounts it does not have; a terminating or unknown one lacks none', () => {
  const ns = { namespace: '', name: 'a', deleting: false };
  assert.deepEqual(missingAccounts(ns, ['default'], () => false), ['default']);
  assert.deepEqual(missingAccounts(ns, ['default'], () => true), []);
  assert.deepEqual(missingAccounts({ ...ns, deleting: true }, ['default'], () => false), []);
  assert.deepEqual(missingAccounts(undefined, ['default'], () => false), []);
});
