// Golden tests of the iptables restore text for a table of service shapes, and of partial syncs.
// Regenerate the golden files with NODELET_UPDATE_GOLDEN=1 after an intended change, and read the diff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../../../harness/paths.js';
import { renderIptables, unknownWrittenState, ZERO_COUNTERS_CHAIN_THRESHOLD } from '../../../../src/proxy/backends/iptables/render.js';
import { serviceKeyString, type ProxyPlan } from '../../../../src/proxy/types.js';
import { ep, manyServices, plan, planned, shapes, svcPort } from './fixtures.js';

const GOLDEN_DIR = path.join(PROJECT_ROOT, 'test', 'unit', 'proxy', 'iptables', 'golden');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.NODELET_UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.NODELET_UPDATE_GOLDEN !== '1') assert.fail(`missing golden file ${file}; run with NODELET_UPDATE_GOLDEN=1`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `rendered text differs from ${file}`);
}

const full = (p: ProxyPlan): string => renderIptables(p, unknownWrittenState()).text;


for (const [name, p] of Object.entries(shapes)) {
  test(`golden: ${name}`, () => golden(name, full(p)));
}

test('every golden full sync declares the fixed chains, the canary and ends each table with COMMIT', () => {
  const text = full(shapes['nodeport'] ?? assert.fail());
  for (const l of [':KUBE-SERVICES - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':KUBE-POSTROUTING - [0:0]', '*mangle\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT']) {
    assert.ok(text.includes(l), l);
  }
  assert.equal(text.match(/^COMMIT$/gm)?.length, 3);
  const services = text.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES '));
  assert.match(services.at(-1) ?? '', /-j KUBE-NODEPORTS$/, 'the nodeports jump is the last KUBE-SERVICES rule');
});

const web3 = (): ProxyPlan => plan([
  planned(svcPort('default', 'web'), [ep('10.244.1.5'), ep('10.244.2.6'), ep('10.244.3.7')]),
  planned(svcPort('default', 'other', { clusterIP: '10.96.0.20', nodePort: 30100, type: 'NodePort' }), [ep('10.244.4.8')]),
]);

test('golden: partial sync after one endpoint removal rewrites only that service and deletes its stale KUBE-SEP chain', () => {
  const first = renderIptables(web3(), unknownWrittenState());
  assert.equal(first.full, true);
  const p = web3();
  const web = p.services[0] ?? assert.fail();
  p.services[0] = planned(web.svc, [ep('10.244.1.5'), ep('10.244.3.7')]);
  p.changed = new Set([serviceKeyString(web.svc.key)]);
  const second = renderIptables(p, first.next);
  assert.equal(second.full, false);
  assert.equal(second.servicesWritten, 1);
  assert.ok(!second.text.includes('default/other'), 'the unchanged service is not written');
  assert.ok(!second.text.includes('*mangle'));
  golden('partial-endpoint-removed', second.text);
});

test('golden: partial sync when a service loses all endpoints, and when a service is deleted', () => {
  const first = renderIptables(web3(), unknownWrittenState());
  const p = web3();
  const other = p.services[1] ?? assert.fail();
  p.services[1] = planned(other.svc, []);
  p.changed = new Set([serviceKeyString(other.svc.key)]);
  const second = renderIptables(p, first.next);
  golden('partial-endpoints-gone', second.text);
  assert.match(second.text, /-A KUBE-SERVICES -m comment --comment "default\/other:http has no endpoints" .* -j REJECT/);

  const deleted = web3();
  deleted.services.splice(0, 1);
  deleted.changed = new Set();
  const third = renderIptables(deleted, second.next);
  assert.equal(third.full, false);
  assert.match(third.text, /^-D KUBE-SERVICES -m comment --comment "default\/web:http cluster IP" /m);
  assert.equal(third.text.match(/^-X KUBE-(SVC|SEP)-/gm)?.length, 4, 'the SVC chain and three SEP chains go');
  assert.equal(third.next.services.size, 1);
});

test('golden: full resync after a failure deletes chains written before', () => {
  const first = renderIptables(web3(), unknownWrittenState());
  const p = web3();
  p.services.splice(1, 1);
  p.changed = undefined; // the proxier asks for a full sync
  const second = renderIptables(p, first.next);
  assert.equal(second.full, true);
  golden('full-resync', second.text);
  assert.match(second.text, /^-X KUBE-SVC-/m);
  // An invalid previous state (failed apply) also renders in full, even with `changed` set.
  const again = renderIptables({ ...web3(), changed: new Set() }, { ...first.next, valid: false });
  assert.equal(again.full, true);
});

test('a partial sync with nothing changed writes no nat chains', () => {
  const first = renderIptables(web3(), unknownWrittenState());
  const second = renderIptables({ ...web3(), changed: new Set() }, first.next);
  assert.equal(second.full, false);
  assert.equal(second.servicesWritten, 0);
  assert.ok(second.text.endsWith('*nat\nCOMMIT\n'));
});

test('a partial sync writes the filter table only when its rules changed', () => {
  const first = renderIptables(web3(), unknownWrittenState());
  const second = renderIptables({ ...web3(), changed: new Set() }, first.next);
  assert.match(second.text, /^\*filter$/m, 'the first partial sync after a full one drops the canary declaration');
  const third = renderIptables({ ...web3(), changed: new Set() }, second.next);
  assert.doesNotMatch(third.text, /\*filter/);
  const p = web3();
  const other = p.services[1] ?? assert.fail();
  p.services[1] = planned(other.svc, []);
  p.changed = new Set([serviceKeyString(other.svc.key)]);
  const gone = renderIptables(p, third.next);
  assert.match(gone.text, /^-A KUBE-EXTERNAL-SERVICES .*default\/other:http has no endpoints/m);
});

test('a change of cluster CIDR or of large-cluster mode forces a full render', () => {
  const first = renderIptables(web3(), unknownWrittenState());
  assert.equal(renderIptables({ ...web3(), clusterCIDR: '10.0.0.0/8', changed: new Set() }, first.next).full, true);
  const big = plan(manyServices(300, 5));
  const bigFirst = renderIptables(big, unknownWrittenState());
  assert.equal(bigFirst.next.largeCluster, true);
  assert.equal(renderIptables({ ...web3(), changed: new Set() }, bigFirst.next).full, true);
});

test('large clusters: no comments on endpoint rules, and -Z first in nat beyond the chain threshold', () => {
  const services = manyServices(ZERO_COUNTERS_CHAIN_THRESHOLD / 5 + 10, 5);
  const text = renderIptables(plan(services), unknownWrittenState()).text;
  assert.match(text, /\*nat\n-Z\n:KUBE-SERVICES - \[0:0\]/);
  const sep = text.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-'));
  assert.ok(sep.length > 0);
  assert.ok(sep.every((l) => !l.includes('--comment')));
  assert.ok(text.includes('cluster IP"'), 'service-level comments stay');
  const small = renderIptables(web3(), unknownWrittenState()).text;
  assert.ok(!small.includes('\n-Z\n'));
  assert.match(small, /-A KUBE-SEP-\w+ -m comment --comment default\/web:http -s 10\.244\.1\.5 -j KUBE-MARK-MASQ/);
});
