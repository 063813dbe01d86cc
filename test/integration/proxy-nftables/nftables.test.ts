// The nftables backend against the real nft 1.0.6 and kernel, inside a network namespace the test
// creates (nlt-*) and deletes: the machine's own rules are never touched. No traffic here (see
// test/e2e/proxy); this checks what lands in the table, partial-sync size, canary and cleanup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { systemExec, type Exec } from '../../../src/base/exec.js';
import { createLogger } from '../../../src/base/log.js';
import { createNftablesBackend } from '../../../src/proxy/backends/nftables/index.js';
import { serviceKeyString, type RuleBackend } from '../../../src/proxy/types.js';
import { hashAndTruncate } from '../../../src/proxy/backends/nftables/names.js';
import { createNetns, type Netns } from '../../harness/index.js';
import { SHAPES, bigPlan, ep, plan, svc } from '../../unit/proxy/nftables/plans.js';

let netns: Netns;
let backend: RuleBackend;
const log = createLogger({ level: 'error', format: 'json' });

before(async () => {
  netns = await createNetns();
  const exec: Exec = {
    run: (file, args, opts) => systemExec.run('nsenter', [`--net=${netns.path}`, '--', file, ...args], { timeoutMs: 600_000, ...opts }),
  };
  backend = createNftablesBackend({ exec, log });
});

after(async () => {
  await netns.dispose();
});

const nft = async (...args: string[]): Promise<string> => (await netns.runChecked('nft', args, { timeoutMs: 600_000 })).stdout;
const chains = async (): Promise<string[]> =>
  (await nft('list', 'chains', 'ip')).split('\n').flatMap((l) => /^\s*chain (\S+) \{/.exec(l)?.[1] ?? []);
const statements = (text: string): number => text.split('\n').filter((l) => l !== '').length;

const shapes = Object.values(SHAPES);

test('a full sync of every service shape is accepted by nft and lands as chains, maps and sets', async () => {
  await backend.apply(backend.render(plan(shapes)));
  const table = await nft('list', 'table', 'ip', 'nodelet');
  for (const name of ['service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports', 'firewall-ips']) {
    assert.match(table, new RegExp(`map ${name} \\{`));
  }
  for (const chain of ['nat-prerouting', 'nat-output', 'nat-postrouting', 'filter-input', 'filter-forward', 'filter-output', 'services', 'masquerading']) {
    assert.match(table, new RegExp(`chain ${chain} \\{`));
  }
  assert.match(table, /type nat hook prerouting priority dstnat; policy accept;/);
  // Services reached only through their cluster IP have no chain: cluster-dnat-PROTO-N maps hold their endpoints.
  assert.match(table, /10\.96\.0\.1 \. 80 \. 0 : 10\.244\.1\.1 \. 8080/);
  assert.match(table, /dnat ip to ip daddr \. tcp dport \. numgen random mod 3 map @cluster-dnat-tcp-3/);
  assert.match(table, /10\.96\.0\.4 \. tcp \. 80 : goto reject-chain/);
  // So are NodePort services with Cluster policies: nodeport-dnat-PROTO-N maps, masqueraded through a set.
  assert.match(table, /30080 \. 0 : 10\.244\.1\.5 \. 80/);
  assert.match(table, /ip daddr @nodeport-ips dnat ip to tcp dport \. numgen random mod 2 map @nodeport-dnat-tcp-2/);
  assert.match(table, /ip daddr @nodeport-ips meta l4proto \. th dport @cluster-nodeports jump mark-for-masquerade/);
  assert.match(table, /tcp \. 30082 : goto external-\S+-ns1\/lb\/tcp\/p80/);
  assert.match(table, /203\.0\.113\.8 \. tcp \. 80 : goto firewall-\S+-ns1\/lb\/tcp\/p80/);
  assert.match(table, /10\.96\.0\.15 \. 53 \. 0 : 10\.244\.1\.15 \. 53/);
  assert.match(table, /10\.96\.0\.16 \. 3868 \. 0 : 10\.244\.1\.16 \. 3868/);
  // Other services DNAT in their chain through an endpoint-dnat map slot.
  assert.match(table, /meta l4proto tcp dnat ip to numgen random mod 2 offset \d+ map @endpoint-dnat-0-tcp/);
  assert.match(table, /set affinity-\S+-ns1\/sticky\/tcp\/p80__10\.244\.1\.9\/80 \{[^}]*flags dynamic,timeout[^}]*timeout 3h/);
  assert.match(table, /update @affinity-\S+ \{ ip saddr \}/);
  assert.equal(await backend.canaryPresent(), true);
});

test('a partial sync after one endpoint change is small, correct, and the old chain goes next time', async () => {
  const three = SHAPES['clusterip-3-endpoints'];
  const sticky = SHAPES['session-affinity'];
  assert.ok(three && sticky);
  const key = serviceKeyString(three.svc.key);
  const changed = svc({ name: 'three', clusterIP: '10.96.0.3', endpoints: [ep('10.244.1.1', 8080), ep('10.244.2.1', 8080), ep('10.244.9.1', 8080)] });
  let next = shapes.map((s) => (s === three ? changed : s));
  const text = backend.render({ ...plan(next), changed: new Set([key]) });
  console.log(`partial sync for one endpoint change: ${statements(text)} statements`);
  assert.ok(statements(text) < 30, text);
  assert.doesNotMatch(text, /flush table|chain/);
  await backend.apply(text);
  const map = await nft('list', 'map', 'ip', 'nodelet', 'cluster-dnat-tcp-3');
  // Add-only: the new endpoints as overlay keys n..2n-1 (all of them, so keys 0..n-1 are hidden).
  assert.doesNotMatch(text, /delete/);
  assert.match(map, /10\.96\.0\.3 \. 80 \. 3 : 10\.244\.1\.1 \. 8080/);
  assert.match(map, /10\.96\.0\.3 \. 80 \. 4 : 10\.244\.2\.1 \. 8080/);
  assert.match(map, /10\.96\.0\.3 \. 80 \. 5 : 10\.244\.9\.1 \. 8080/);
  // The next change of the service goes back to keys 0..n-1 and removes the overlay and the old endpoint.
  const again = svc({ name: 'three', clusterIP: '10.96.0.3', endpoints: [ep('10.244.1.1', 8080), ep('10.244.2.1', 8080), ep('10.244.9.2', 8080)] });
  next = next.map((s) => (s === changed ? again : s));
  await backend.apply(backend.render({ ...plan(next), changed: new Set([key]) }));
  const map2 = await nft('list', 'map', 'ip', 'nodelet', 'cluster-dnat-tcp-3');
  assert.match(map2, /10\.96\.0\.3 \. 80 \. 2 : 10\.244\.9\.2 \. 8080/);
  assert.doesNotMatch(map2, /10\.244\.3\.1|10\.244\.9\.1|10\.96\.0\.3 \. 80 \. [345] /);

  // With affinity, endpoints have chains: a replaced endpoint's chain is emptied, then deleted.
  const stickyKey = serviceKeyString(sticky.svc.key);
  const moved = svc({ name: 'sticky', clusterIP: '10.96.0.9', affinityTimeoutSeconds: 10800, endpoints: [ep('10.244.1.9', 80), ep('10.244.7.9', 80)] });
  next = next.map((s) => (s === sticky ? moved : s));
  await backend.apply(backend.render({ ...plan(next), changed: new Set([stickyKey]) }));
  const svcChain = await nft('list', 'chain', 'ip', 'nodelet', `service-${hashAndTruncate('ns1/sticky/tcp/p80')}`);
  assert.match(svcChain, /__10\.244\.7\.9\/80/);
  assert.doesNotMatch(svcChain, /__10\.244\.2\.9\/80/);
  assert.ok((await chains()).some((c) => c.endsWith('ns1/sticky/tcp/p80__10.244.2.9/80')), 'emptied, not yet deleted');
  await backend.apply(backend.render({ ...plan(next), changed: new Set() }));
  assert.ok(!(await chains()).some((c) => c.endsWith('ns1/sticky/tcp/p80__10.244.2.9/80')), 'deleted by the next sync');
});

test('a full sync keeps affinity entries; a flushed table is noticed by the canary and rebuilt', async () => {
  const set = (await nft('list', 'sets', 'ip')).split('\n').flatMap((l) => /set (affinity-\S+__10\.244\.1\.9\/80) \{/.exec(l)?.[1] ?? [])[0];
  assert.ok(set);
  await nft('add', 'element', 'ip', 'nodelet', set, '{ 198.51.100.7 }');
  await backend.apply(backend.render(plan(shapes)));
  assert.match(await nft('list', 'set', 'ip', 'nodelet', set), /198\.51\.100\.7/);

  await nft('flush', 'table', 'ip', 'nodelet');
  assert.equal(await backend.canaryPresent(), false);
  const text = backend.render({ ...plan(shapes), changed: new Set() });
  assert.match(text, /^flush table ip nodelet$/m);
  await backend.apply(text);
  assert.equal(await backend.canaryPresent(), true);
  assert.match(await nft('list', 'chain', 'ip', 'nodelet', 'services'), /vmap @service-ips/);
});

test('cleanup removes the table and tolerates a second call', async () => {
  await backend.cleanup();
  assert.doesNotMatch(await nft('list', 'tables'), /nodelet/);
  await backend.cleanup();
  assert.equal(await backend.canaryPresent(), false);
});

test('timing (printed, not asserted): 10,000 services x 5 endpoints, full sync and one-service changes', { timeout: 900_000 }, async () => {
  const big = bigPlan(10_000, 5);
  let t = performance.now();
  const text = backend.render(big);
  const renderMs = performance.now() - t;
  t = performance.now();
  await backend.apply(text);
  console.log(`10000 services x 5 endpoints: full render ${renderMs.toFixed(0)} ms, nft apply ${(performance.now() - t).toFixed(0)} ms, ${statements(text)} statements`);
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const target = big.services[i * 7];
    assert.ok(target);
    const eps = [...target.allEndpoints.slice(1), ep(`10.250.${i}.1`, 8080)];
    const services = big.services.map((s) => (s === target ? { ...s, allEndpoints: eps, clusterEndpoints: eps, externalEndpoints: eps } : s));
    big.services = services;
    t = performance.now();
    await backend.apply(backend.render({ ...big, changed: new Set([serviceKeyString(target.svc.key)]) }));
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`one-service change (render + apply): p50 ${times[10]?.toFixed(1)} ms, max ${times[19]?.toFixed(1)} ms over 20`);
  assert.match(await nft('list', 'chain', 'ip', 'nodelet', 'canary'), /nodelet-canary/);
  await backend.cleanup();
});
