// The iptables backend against the real iptables-restore (1.8.9, nf_tables) inside a network
// namespace this test creates; the machine's own namespace is never touched. No traffic here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import winston from 'winston';
import { runChecked, systemExec, type Exec } from '../../../src/base/exec.js';
import { isNodeletError } from '../../../src/base/errors.js';
import { createIptablesBackend } from '../../../src/proxy/backends/iptables/index.js';
import { serviceKeyString, type ProxyPlan } from '../../../src/proxy/types.js';
import { ep, manyServices, plan, planned, shapes, svcPort } from '../../unit/proxy/iptables/fixtures.js';

const NETNS = `nlt-pi-${randomBytes(3).toString('hex')}`;
const log = winston.createLogger({ silent: true });

/** Every command runs inside the test namespace. */
const nsExec: Exec = {
  run: (file, args, opts) => systemExec.run('nsenter', [`--net=/var/run/netns/${NETNS}`, '--', file, ...args], { timeoutMs: 300_000, ...opts }),
};

async function save(table?: string): Promise<string> {
  return (await runChecked(nsExec, 'iptables-save', table === undefined ? [] : ['-t', table])).stdout;
}

/** Rules per chain of one table, from iptables-save. */
function rulesByChain(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) out.set(line.slice(1).split(' ')[0] ?? '', []);
    else if (line.startsWith('-A ')) out.get(line.split(' ')[1] ?? '')?.push(line);
  }
  return out;
}

before(async () => {
  await runChecked(systemExec, 'ip', ['netns', 'add', NETNS]);
});

after(async () => {
  await systemExec.run('ip', ['netns', 'delete', NETNS]);
});

test('every golden shape is accepted by iptables-restore; chains, rules and jumps read back', async () => {
  for (const [name, p] of Object.entries(shapes)) {
    const b = createIptablesBackend({ exec: nsExec, log });
    await b.apply(b.render(p));
    const nat = await save('nat');
    assert.match(nat, /^-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m, name);
    assert.match(nat, /^-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m, name);
    assert.match(nat, /^-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING$/m, name);
    assert.match(nat, /^-A KUBE-POSTROUTING -j MASQUERADE --random-fully|^-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully$/m, name);
    const filter = await save('filter');
    assert.match(filter, /^-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD$/m, name);
    assert.equal(filter.match(/-j KUBE-PROXY-FIREWALL/g)?.length, 3, `${name}: jumps are not duplicated`);
    assert.ok(await b.canaryPresent(), name);
    // The service chains in the kernel are exactly those of this shape: earlier shapes' are gone.
    const expected = new Set([...b.render(p).matchAll(/^:(KUBE-(?:SVC|SVL|EXT|FW|SEP)-\w+) /gm)].map((m) => m[1]));
    const present = new Set([...nat.matchAll(/^:(KUBE-(?:SVC|SVL|EXT|FW|SEP)-\w+) /gm)].map((m) => m[1]));
    assert.deepEqual(present, expected, name);
  }
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.apply(b.render(shapes['no-endpoints'] ?? assert.fail()));
  assert.match(await save('filter'), /^-A KUBE-SERVICES -d 10\.96\.0\.10\/32 -p tcp -m comment --comment "default\/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable$/m);
});

const three = (): ProxyPlan =>
  plan([
    planned(svcPort('default', 'web'), [ep('10.244.1.5'), ep('10.244.2.6'), ep('10.244.3.7')]),
    planned(svcPort('default', 'other', { clusterIP: '10.96.0.20', nodePort: 30100, type: 'NodePort' }), [ep('10.244.4.8')]),
    planned(svcPort('default', 'third', { clusterIP: '10.96.0.30' }), [ep('10.244.5.9')]),
  ]);

test('a partial sync changes only the changed service chains and KUBE-SERVICES entries', async () => {
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.apply(b.render(three()));
  const before = rulesByChain(await save('nat'));

  const p = three();
  const web = p.services[0] ?? assert.fail();
  p.services[0] = planned({ ...web.svc, clusterIP: '10.96.0.11' }, [ep('10.244.1.5'), ep('10.244.3.7')]);
  p.changed = new Set([serviceKeyString(web.svc.key)]);
  const text = b.render(p);
  assert.ok(!text.includes('default/other') && !text.includes('default/third'));
  await b.apply(text);
  const afterSync = rulesByChain(await save('nat'));

  const changedChains = new Set<string>();
  for (const chain of new Set([...before.keys(), ...afterSync.keys()])) {
    if (JSON.stringify(before.get(chain)) !== JSON.stringify(afterSync.get(chain))) changedChains.add(chain);
  }
  const webChains = [...text.matchAll(/^:(KUBE-\S+) /gm)].map((m) => m[1]);
  for (const c of changedChains) assert.ok(c === 'KUBE-SERVICES' || webChains.includes(c), `unexpected change in ${c}`);
  assert.equal(afterSync.has('KUBE-SEP-3OLK2YUW6LHBC4UX'), false, 'the removed endpoint chain is deleted');
  const services = afterSync.get('KUBE-SERVICES') ?? [];
  assert.ok(services.some((l) => l.includes('-d 10.96.0.11/32')) && !services.some((l) => l.includes('-d 10.96.0.10/32')));
  assert.match(services.at(-1) ?? '', /-j KUBE-NODEPORTS$/, 'the nodeports jump stays last');

  // The same state rendered in full gives the same rules, chain by chain (order within KUBE-SERVICES aside).
  const fresh = createIptablesBackend({ exec: nsExec, log });
  await fresh.apply(fresh.render({ ...p, changed: undefined }));
  const full = rulesByChain(await save('nat'));
  for (const [chain, rules] of full) {
    const got = afterSync.get(chain) ?? [];
    if (chain === 'KUBE-SERVICES') assert.deepEqual([...got].sort(), [...rules].sort());
    else assert.deepEqual(got, rules, chain);
  }
});

test('partial syncs: a NodePort service losing all endpoints, then deleted, leaves no chains behind', async () => {
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.apply(b.render(three()));
  const p = three();
  const other = p.services[1] ?? assert.fail();
  p.services[1] = planned(other.svc, []);
  p.changed = new Set([serviceKeyString(other.svc.key)]);
  await b.apply(b.render(p));
  let nat = await save('nat');
  assert.doesNotMatch(nat, /default\/other/, 'no nat rules for a service without endpoints');
  assert.match(await save('filter'), /"default\/other:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30100 -j REJECT/);
  p.services.splice(1, 1);
  await b.apply(b.render(p));
  nat = await save('nat');
  assert.doesNotMatch(await save('filter'), /default\/other/);
  const chains = [...nat.matchAll(/^:(KUBE-(?:SVC|SEP|EXT)-\w+) /gm)].length;
  assert.equal(chains, 2 + 4, 'web (SVC + 3 SEP) and third (SVC + SEP) remain');
});

test('a rule removed behind our back fails the partial sync; the next (full) sync repairs it', async () => {
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.apply(b.render(three()));
  const rule = (await save('nat')).split('\n').find((l) => l.includes('"default/web:http cluster IP"') && l.startsWith('-A KUBE-SERVICES'));
  assert.ok(rule);
  await runChecked(nsExec, 'iptables', ['-t', 'nat', '-D', ...(rule.slice(3).match(/"[^"]*"|\S+/g) ?? []).map((a) => a.replace(/^"|"$/g, ''))]);
  const p = three();
  const web = p.services[0] ?? assert.fail();
  p.services[0] = planned({ ...web.svc, clusterIP: '10.96.0.12' }, [ep('10.244.1.5')]);
  p.changed = new Set([serviceKeyString(web.svc.key)]);
  await assert.rejects(b.apply(b.render(p)), (e: unknown) => isNodeletError(e, 'ExecFailed'));
  const again = b.render(p);
  assert.ok(again.includes('*mangle'), 'full after failure');
  await b.apply(again);
  assert.match(await save('nat'), /"default\/web:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-/);
});

test('the canary detects a flushed mangle table; a full sync restores it', async () => {
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.apply(b.render(three()));
  assert.equal(await b.canaryPresent(), true);
  await runChecked(nsExec, 'iptables', ['-t', 'mangle', '-F']);
  await runChecked(nsExec, 'iptables', ['-t', 'mangle', '-X']);
  assert.equal(await b.canaryPresent(), false);
  await b.apply(b.render(three()));
  assert.equal(await b.canaryPresent(), true);
});

test('cleanup removes every chain and jump; a second cleanup is a no-op', async () => {
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.apply(b.render(shapes['loadbalancer-source-ranges'] ?? assert.fail()));
  assert.match(await save(), /KUBE-/);
  await b.cleanup();
  const all = await save();
  assert.doesNotMatch(all, /KUBE-/);
  await b.cleanup();
  assert.equal(await b.canaryPresent(), false);
});

test('timing (printed, not asserted): 1,000 services x 5 endpoints full sync and one-service changes', async () => {
  const b = createIptablesBackend({ exec: nsExec, log });
  await b.cleanup();
  const p = plan(manyServices(1000, 5));
  let t = performance.now();
  const text = b.render(p);
  const renderMs = performance.now() - t;
  t = performance.now();
  await b.apply(text);
  const fullMs = performance.now() - t;
  const changes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const target = p.services[(i * 97) % p.services.length] ?? assert.fail();
    const idx = p.services.indexOf(target);
    p.services[idx] = planned(target.svc, [...target.allEndpoints.slice(1), ep(`10.200.${i}.1`)]);
    p.changed = new Set([serviceKeyString(target.svc.key)]);
    t = performance.now();
    await b.apply(b.render(p));
    changes.push(performance.now() - t);
  }
  changes.sort((x, y) => x - y);
  const rules = (await save('nat')).split('\n').filter((l) => l.startsWith('-A ')).length;
  console.log(
    `iptables 1000x5: render ${renderMs.toFixed(0)} ms, full sync ${fullMs.toFixed(0)} ms, ${rules} nat rules; ` +
      `one-service change p50 ${changes[5]?.toFixed(0)} ms max ${changes.at(-1)?.toFixed(0)} ms`,
  );
  assert.ok(rules > 1000 * 5 * 2);
  await b.cleanup();
});
