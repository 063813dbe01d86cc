// The ServiceAccounts controller against a real apiserver: every namespace gets `default`, and a
// deleted one comes back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceAccountsController } from '../../../../src/apiserver/controllers/serviceaccount/controller.js';
import { startEnv, eventually, type ControllerEnv } from '../endpointslice/env.js';

let env: ControllerEnv;
let ctl: ServiceAccountsController;
before(async () => {
  env = await startEnv();
  ctl = new ServiceAccountsController(env.deps);
  ctl.start();
});
after(async () => {
  await ctl.dispose();
  await env.close();
});

test('existing and new namespaces get a default ServiceAccount, recreated when deleted', async () => {
  await eventually('kube-system has one', () => env.client.get('/api/v1/namespaces/kube-system/serviceaccounts/default'));
  await env.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  const first = await eventually('team-a has one', () => env.client.get('/api/v1/namespaces/team-a/serviceaccounts/default'));
  await env.client.delete('/api/v1/namespaces/team-a/serviceaccounts/default');
  const again = await eventually('it comes back', async () => {
    const sa = await env.client.get('/api/v1/namespaces/team-a/serviceaccounts/default');
    assert.notEqual(sa.metadata.uid, first.metadata.uid);
    return sa;
  });
  assert.equal(again.metadata.name, 'default');
});
