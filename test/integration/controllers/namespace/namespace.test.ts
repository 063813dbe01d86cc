// Deleting a namespace deletes what is in it, then the namespace (the namespace controller runs
// inside the apiserver handler). A pod on a node keeps the namespace Terminating until its node
// confirms the deletion (grace 0), as upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEnv, eventually, type ControllerEnv } from '../endpointslice/env.js';

let env: ControllerEnv;
before(async () => {
  env = await startEnv();
});
after(() => env.close());

test('a namespace with content: content deleted first, then the namespace', async () => {
  const ns = '/api/v1/namespaces/doomed';
  await env.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
  await env.client.create(`${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
  await env.client.create(`${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
  await env.client.create(`${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { selector: { a: 'b' }, ports: [{ port: 80 }] } });
  await env.client.create('/apis/apps/v1/namespaces/doomed/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
  });
  await env.client.create(`${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  await env.client.create(`${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'running' }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'busybox' }] } });

  await env.client.delete(ns);
  await eventually('the content is deleted', async () => {
    for (const p of [`${ns}/configmaps/cm`, `${ns}/secrets/s`, `${ns}/services/svc`, '/apis/apps/v1/namespaces/doomed/deployments/d', `${ns}/pods/pending`]) {
      await assert.rejects(env.client.get(p), /not found/, p);
    }
  });
  // The pod on a node is terminating; the namespace waits for it.
  const pod = await env.client.get(`${ns}/pods/running`);
  assert.ok(pod.metadata.deletionTimestamp !== undefined);
  const waiting = await env.client.get(ns);
  assert.equal((waiting.status as { phase?: string } | undefined)?.phase, 'Terminating');
  // The node confirms: the pod goes, and with it the namespace.
  await env.client.delete(`${ns}/pods/running`, { gracePeriodSeconds: 0 });
  await eventually('the namespace is gone', async () => {
    await assert.rejects(env.client.get(ns), /not found/);
  });
});
