// Node IPAM against a real apiserver: 200 nodes get distinct pod CIDRs, a node that already has
// one keeps it, a restarted controller rebuilds its map from the nodes, a full range leaves a node
// without a CIDR (with an event) until a node is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { arrayAt, asJson, objectAt, stringAt } from '../../../../src/api/json.js';
import type { KubeObject } from '../../../../src/api/object.js';
import { NodeIpamController } from '../../../../src/apiserver/controllers/nodeipam/controller.js';
import { startEnv, eventually, type ControllerEnv } from '../endpointslice/env.js';

let env: ControllerEnv;
before(async () => {
  env = await startEnv();
});
after(() => env.close());

async function createNode(name: string, podCIDR?: string, group = name.replace(/-\w+$/, '')): Promise<void> {
  await env.client.create('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { group } },
    spec: podCIDR === undefined ? {} : { podCIDR, podCIDRs: [podCIDR] },
  });
}

function cidrsOf(node: KubeObject): { podCIDR: string | undefined; podCIDRs: unknown[] } {
  const spec = objectAt(asJson(node), 'spec');
  return { podCIDR: stringAt(spec, 'podCIDR'), podCIDRs: arrayAt(spec, 'podCIDRs') ?? [] };
}

async function nodes(group: string): Promise<KubeObject[]> {
  return (await env.client.list('/api/v1/nodes', { labelSelector: `group=${group}` })).items;
}

test('200 nodes get unique pod CIDRs; existing ones are kept; a restart does not hand one out twice', async () => {
  await createNode('many-pre', '10.244.7.0/24');
  let ctl = new NodeIpamController(env.deps, { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 });
  ctl.start();
  try {
  const names = Array.from({ length: 200 }, (_, i) => `many-${i}`);
  for (let i = 0; i < names.length; i += 20) await Promise.all(names.slice(i, i + 20).map((n) => createNode(n)));
  const all = await eventually('every node has a pod CIDR', async () => {
    const list = await nodes('many');
    assert.equal(list.length, 201);
    for (const n of list) assert.ok(cidrsOf(n).podCIDR !== undefined, `${n.metadata.name ?? ''} has none`);
    return list;
  }, 60_000);
  const seen = new Map<string, string>();
  for (const n of all) {
    const { podCIDR, podCIDRs } = cidrsOf(n);
    assert.deepEqual(podCIDRs, [podCIDR]);
    assert.match(podCIDR ?? '', /^10\.244\.\d+\.0\/24$/);
    assert.ok(!seen.has(podCIDR ?? ''), `${podCIDR ?? ''} given to ${seen.get(podCIDR ?? '') ?? ''} and ${n.metadata.name ?? ''}`);
    seen.set(podCIDR ?? '', n.metadata.name ?? '');
  }
  assert.equal(seen.get('10.244.7.0/24'), 'many-pre');

  await ctl.dispose();
  ctl = new NodeIpamController(env.deps, { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 });
  ctl.start();
  await Promise.all(['many-after-0', 'many-after-1'].map((n) => createNode(n, undefined, 'many-after')));
  const fresh = await eventually('nodes created after the restart have CIDRs', async () => {
    const list = await nodes('many-after');
    const cidrs = list.map((n) => cidrsOf(n).podCIDR);
    assert.ok(cidrs.length === 2 && cidrs.every((c) => c !== undefined));
    return cidrs;
  });
  for (const c of fresh) assert.ok(!seen.has(c ?? ''), `${c ?? ''} was given twice`);
  assert.notEqual(fresh[0], fresh[1]);
  } finally {
    await ctl.dispose();
  }
});

test('a full range leaves a node without a CIDR and an event; a deleted node frees its CIDR', async () => {
  const ctl = new NodeIpamController(env.deps, { clusterCIDR: '10.50.0.0/23', nodeCIDRMaskSize: 24 });
  ctl.start();
  try {
  await createNode('small-0');
  await createNode('small-1');
  await eventually('two nodes have CIDRs', async () => {
    const cidrs = (await nodes('small')).map((n) => cidrsOf(n).podCIDR).sort();
    assert.deepEqual(cidrs, ['10.50.0.0/24', '10.50.1.0/24']);
  });
  await createNode('small-2');
  await eventually('a CIDRNotAvailable event for the third', async () => {
    const events = (await env.client.list('/api/v1/namespaces/default/events')).items;
    assert.ok(events.some((e) => e.reason === 'CIDRNotAvailable' && objectAt(asJson(e), 'involvedObject')?.name === 'small-2'));
  });
  assert.equal(cidrsOf(await env.client.get('/api/v1/nodes/small-2')).podCIDR, undefined);
  const freed = cidrsOf(await env.client.get('/api/v1/nodes/small-0')).podCIDR;
  await env.client.delete('/api/v1/nodes/small-0');
  await eventually('the third node gets the freed CIDR', async () => {
    assert.equal(cidrsOf(await env.client.get('/api/v1/nodes/small-2')).podCIDR, freed);
  });
  } finally {
    await ctl.dispose();
  }
});
