// Golden tests of the nftables transaction text for each service shape, and of partial syncs.
// UPDATE_GOLDEN=1 rewrites the files under golden/ (review the diff before keeping it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../harness/paths.js';
import { renderNft } from '../../../../src/proxy/backends/nftables/render.js';
import { serviceKeyString, type ProxyPlan } from '../../../../src/proxy/types.js';
import { hashAndTruncate } from '../../../../src/proxy/backends/nftables/names.js';
import { SHAPES, bigPlan, ep, plan, svc } from './plans.js';

const GOLDEN_DIR = path.join(PROJECT_ROOT, 'test', 'unit', 'proxy', 'nftables', 'golden');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, `${name}.nft`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
  }
  assert.ok(existsSync(file), `missing golden file ${file} (run with UPDATE_GOLDEN=1)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `rendered text differs from ${file}`);
}

const statements = (text: string): number => text.split('\n').filter((l) => l !== '').length;

test('chain names hash as upstream kube-proxy does (base32 sha256 prefix)', () => {
  // Values from upstream pkg/proxy/nftables/proxier_test.go.
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80__10.180.0.1/80'), '5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
});

for (const [name, shape] of Object.entries(SHAPES)) {
  test(`full sync golden: ${name}`, () => {
    golden(name, renderNft(plan([shape]), undefined).text);
  });
}

test('full sync golden: every shape together, from a known previous state with gone services', () => {
  const before = renderNft(plan(Object.values(SHAPES)), undefined).next;
  const r = renderNft(plan([SHAPES['clusterip-1-endpoint'], SHAPES['session-affinity']].flatMap((s) => (s ? [s] : []))), before);
  assert.equal(r.full, true);
  golden('full-after-removals', r.text);
  // The gone services' chains are emptied now and deleted by the next transaction.
  assert.ok([...r.next.stale].some((c) => c.includes('ns1/lb/')));
  const again = renderNft(plan([]), r.next);
  assert.match(again.text, /^delete chain ip nodelet external-\S+-ns1\/lb\/tcp\/p80$/m);
});

test('without node IPs, node ports answer on every local address but loopback', () => {
  const shape = SHAPES.nodeport;
  assert.ok(shape);
  const text = renderNft(plan([shape], { nodeIPs: [] }), undefined).text;
  assert.match(text, /fib daddr type local ip daddr != 127\.0\.0\.0\/8 meta l4proto \. th dport vmap @service-nodeports/);
  assert.doesNotMatch(text, /add element ip nodelet nodeport-ips/);
});

/** b is a NodePort service: chainless unless it has affinity or an external IP. */
function threeServices(endpointsOfB: ReturnType<typeof ep>[], affinity = 0, externalIPsOfB: string[] = []): ProxyPlan {
  return plan([
    svc({ name: 'a', clusterIP: '10.96.1.1', endpoints: [ep('10.244.1.1', 80)] }),
    svc({ name: 'b', clusterIP: '10.96.1.2', nodePort: 30090, type: 'NodePort', endpoints: endpointsOfB, affinityTimeoutSeconds: affinity, externalIPs: externalIPsOfB }),
    svc({ name: 'c', clusterIP: '10.96.1.3', endpoints: [ep('10.244.1.3', 80)] }),
  ]);
}
const keyB = 'ns1/b:p80/tcp';

test('partial sync golden: one endpoint of one service replaced', () => {
  const first = renderNft(threeServices([ep('10.244.1.2', 80), ep('10.244.2.2', 80)]), undefined);
  const p = threeServices([ep('10.244.1.2', 80), ep('10.244.3.2', 80)]);
  const r = renderNft({ ...p, changed: new Set([keyB]) }, first.next);
  assert.equal(r.full, false);
  golden('partial-endpoint-change', r.text);
  assert.doesNotMatch(r.text, /flush table|\/a\/|\/c\//);
  // A NodePort service with Cluster policies and no affinity has no chain; with the same endpoint
  // count the new endpoints are overlay keys of its cluster-dnat and nodeport-dnat maps: add-only.
  assert.equal(r.next.stale.size, 0);
  assert.doesNotMatch(r.text, /chain|delete/);
  assert.match(r.text, /^add element ip nodelet nodeport-dnat-tcp-2 \{ 30090 \. 2 : 10\.244\.1\.2 \. 80, 30090 \. 3 : 10\.244\.3\.2 \. 80 \}$/m);
  assert.deepEqual([...r.next.hairpinAdded], ['10.244.3.2']);
  assert.equal(r.next.hairpin, first.next.hairpin);
  assert.equal(r.next.dnat.slots, first.next.dnat.slots);
});

test('partial sync: a changed endpoint count rewrites the service chain, within its slot or in a new one', () => {
  // An external IP gives b its chains.
  const chained = (eps: ReturnType<typeof ep>[]): ProxyPlan => threeServices(eps, 0, ['192.0.2.20']);
  const first = renderNft(chained([ep('10.244.1.2', 80), ep('10.244.2.2', 80)]), undefined);
  const chain = `service-${hashAndTruncate('ns1/b/tcp/p80')}`;
  const slot = first.next.dnat.slots.get(chain);
  assert.deepEqual(slot, { shard: 0, base: 0, capacity: 4 });
  const three = renderNft({ ...chained([ep('10.244.1.2', 80), ep('10.244.2.2', 80), ep('10.244.3.2', 80)]), changed: new Set([keyB]) }, first.next);
  assert.match(three.text, new RegExp(`^add chain ip nodelet ${chain.replaceAll('/', '\\/')} \\{ meta l4proto tcp dnat ip addr \\. port to numgen random mod 3 offset 0 map @endpoint-dnat-0-tcp ; \\}$`, 'm'));
  assert.match(three.text, /^add element ip nodelet endpoint-dnat-0-tcp \{ 2 : 10\.244\.3\.2 \. 80 \}$/m);
  const many = Array.from({ length: 5 }, (_, i) => ep(`10.244.5.${i}`, 80));
  const five = renderNft({ ...chained(many), changed: new Set([keyB]) }, three.next);
  assert.deepEqual(five.next.dnat.slots.get(chain), { shard: 0, base: 4, capacity: 8 });
  assert.match(five.text, /^delete element ip nodelet endpoint-dnat-0-tcp \{ 0, 1, 2 \}$/m);
  assert.match(five.text, /mod 5 offset 4 map @endpoint-dnat-0-tcp ;/);
  // A full sync packs the slots again.
  assert.deepEqual(renderNft(chained(many), five.next).next.dnat.slots.get(chain), { shard: 0, base: 0, capacity: 8 });
});

test('partial sync with affinity: a replaced endpoint chain is emptied, then deleted by the next sync', () => {
  const first = renderNft(threeServices([ep('10.244.1.2', 80), ep('10.244.2.2', 80)], 60), undefined);
  const p = threeServices([ep('10.244.1.2', 80), ep('10.244.3.2', 80)], 60);
  const r = renderNft({ ...p, changed: new Set([keyB]) }, first.next);
  assert.deepEqual([...r.next.stale], [`endpoint-${hashAndTruncate('ns1/b/tcp/p80__10.244.2.2/80')}`]);
  // The next sync, about anything, deletes the emptied chain.
  const r2 = renderNft({ ...p, changed: new Set(['ns1/a:p80/tcp']) }, r.next);
  assert.match(r2.text, /^delete chain ip nodelet endpoint-\S+__10\.244\.2\.2\/80$/m);
  assert.equal(r2.next.stale.size, 0);
});

test('hairpin: partial syncs add new endpoint IPs to the set; a full sync rewrites it from the endpoints', () => {
  const first = renderNft(threeServices([ep('10.244.1.2', 80)]), undefined);
  assert.deepEqual([...first.next.hairpin].sort(), ['10.244.1.1', '10.244.1.2', '10.244.1.3']);
  const r = renderNft({ ...threeServices([ep('10.244.1.3', 80), ep('10.244.9.9', 80)]), changed: new Set([keyB]) }, first.next);
  assert.match(r.text, /^add element ip nodelet hairpin-endpoints \{ 10\.244\.9\.9 \. 10\.244\.9\.9 \}$/m);
  assert.doesNotMatch(r.text, /hairpin-endpoints \{ 10\.244\.1\.3/);
  const full = renderNft(threeServices([ep('10.244.9.9', 80)]), r.next);
  assert.deepEqual([...full.next.hairpin].sort(), ['10.244.1.1', '10.244.1.3', '10.244.9.9']);
  assert.equal(full.next.hairpinAdded.size, 0);
});

test('partial sync: losing every endpoint moves the cluster IP and node port to the reject maps', () => {
  const first = renderNft(threeServices([ep('10.244.1.2', 80)]), undefined);
  const r = renderNft({ ...threeServices([]), changed: new Set([keyB]) }, first.next);
  golden('partial-no-endpoints', r.text);
  assert.match(r.text, /^delete element ip nodelet cluster-dnat-tcp-1 \{ 10\.96\.1\.2 \. 80 \. 0 \}$/m);
  assert.match(r.text, /^delete element ip nodelet nodeport-dnat-tcp-1 \{ 30090 \. 0 \}$/m);
  assert.match(r.text, /^delete element ip nodelet cluster-nodeports \{ tcp \. 30090 \}$/m);
  assert.match(r.text, /^add element ip nodelet no-endpoint-services \{ 10\.96\.1\.2 \. tcp \. 80 : goto reject-chain \}$/m);
  assert.match(r.text, /^add element ip nodelet no-endpoint-nodeports \{ tcp \. 30090 : goto reject-chain \}$/m);
});

test('partial sync: a deleted service and an affinity timeout change', () => {
  const first = renderNft(threeServices([ep('10.244.1.2', 80)], 60), undefined);
  const gone = renderNft({ ...plan([]), changed: new Set([keyB]) }, first.next);
  assert.match(gone.text, /^delete set ip nodelet affinity-\S+__10\.244\.1\.2\/80$/m);
  assert.equal(gone.next.services.has(keyB), false);
  const retimed = renderNft({ ...threeServices([ep('10.244.1.2', 80)], 120), changed: new Set([keyB]) }, first.next);
  const lines = retimed.text.split('\n');
  const del = lines.findIndex((l) => l.startsWith('delete set'));
  const add = lines.findIndex((l) => l.startsWith('add set') && l.includes('timeout 120s'));
  const flush = lines.findIndex((l) => l.startsWith('flush chain ip nodelet endpoint-'));
  assert.ok(flush >= 0 && flush < del && del < add, 'rules using the set are flushed before it is recreated');
});

test('a one-service change is the same size whatever the number of services', () => {
  const sizes = [10, 2000].map((n) => {
    const p = bigPlan(n, 5);
    const first = renderNft(p, undefined);
    const target = p.services[3];
    assert.ok(target);
    const changedPlan = { ...p, services: p.services.map((s) => (s === target ? { ...s, allEndpoints: s.allEndpoints.slice(1), clusterEndpoints: s.clusterEndpoints.slice(1), externalEndpoints: s.externalEndpoints.slice(1) } : s)) };
    const r = renderNft({ ...changedPlan, changed: new Set([serviceKeyString(target.svc.key)]) }, first.next);
    return statements(r.text);
  });
  assert.equal(sizes[0], sizes[1]);
  assert.ok((sizes[0] ?? 0) < 40, `small transaction, got ${sizes[0]}`);
});

test('a changed cluster CIDR or node IP list turns a partial sync into a full one', () => {
  const first = renderNft(threeServices([ep('10.244.1.2', 80)]), undefined);
  const p = { ...threeServices([ep('10.244.1.2', 80)]), changed: new Set([keyB]) };
  assert.equal(renderNft({ ...p, clusterCIDR: '10.0.0.0/8' }, first.next).full, true);
  assert.equal(renderNft({ ...p, nodeIPs: ['192.168.50.3'] }, first.next).full, true);
  assert.equal(renderNft(p, first.next).full, false);
});

test('two services claiming one external IP and port: the first keeps it, the transaction stays valid', () => {
  const a = svc({ name: 'a', clusterIP: '10.96.2.1', externalIPs: ['192.0.2.1'], endpoints: [ep('10.244.1.1', 80)] });
  const b = svc({ name: 'b', clusterIP: '10.96.2.2', externalIPs: ['192.0.2.1'], endpoints: [ep('10.244.1.2', 80)] });
  const text = renderNft(plan([a, b]), undefined).text;
  assert.equal(text.match(/192\.0\.2\.1 \. tcp \. 80 :/g)?.length, 1);
  assert.match(text, /192\.0\.2\.1 \. tcp \. 80 : goto external-\S+-ns1\/a\//);
});

test('partial sync: replaced endpoints of a chainless service are added as overlay keys, the next change removes them', () => {
  const three = (last: string): ProxyPlan =>
    plan([svc({ name: 'a', clusterIP: '10.96.1.1', endpoints: [ep('10.244.1.1', 80), ep('10.244.1.2', 80), ep(last, 80)] })]);
  const keyA = 'ns1/a:p80/tcp';
  const first = renderNft(three('10.244.1.3'), undefined);
  assert.match(first.text, /^add rule ip nodelet services .* numgen random mod 3 offset 3 map @cluster-dnat-tcp-3\nadd rule ip nodelet services .* numgen random mod 3 map @cluster-dnat-tcp-3$/m);
  const second = renderNft({ ...three('10.244.1.4'), changed: new Set([keyA]) }, first.next);
  // Add-only: all three overlay keys (so keys 0..2 are never looked up again), no delete.
  assert.doesNotMatch(second.text, /delete/);
  assert.match(second.text, /^add element ip nodelet cluster-dnat-tcp-3 \{ 10\.96\.1\.1 \. 80 \. 3 : 10\.244\.1\.1 \. 80, 10\.96\.1\.1 \. 80 \. 4 : 10\.244\.1\.2 \. 80, 10\.96\.1\.1 \. 80 \. 5 : 10\.244\.1\.4 \. 80 \}$/m);
  assert.equal(second.next.services.get(keyA)?.overlay, true);
  const third = renderNft({ ...three('10.244.1.5'), changed: new Set([keyA]) }, second.next);
  assert.match(third.text, /^delete element ip nodelet cluster-dnat-tcp-3 \{ 10\.96\.1\.1 \. 80 \. 2, 10\.96\.1\.1 \. 80 \. 3, 10\.96\.1\.1 \. 80 \. 4, 10\.96\.1\.1 \. 80 \. 5 \}$/m);
  assert.match(third.text, /^add element ip nodelet cluster-dnat-tcp-3 \{ 10\.96\.1\.1 \. 80 \. 2 : 10\.244\.1\.5 \. 80 \}$/m);
  assert.equal(third.next.services.get(keyA)?.overlay, undefined);
  // A full sync writes keys 0..n-1 only.
  assert.doesNotMatch(renderNft(three('10.244.1.4'), second.next).text, /\. 80 \. [345] :/);
});
