// The backend's effects through a fake Exec: one restore per sync, jumps ensured on full syncs only,
// the written state committed only after a successful apply.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import type { Exec, ExecOptions, ExecResult } from '../../../../src/base/exec.js';
import { isNodeletError } from '../../../../src/base/errors.js';
import { createIptablesBackend } from '../../../../src/proxy/backends/iptables/index.js';
import { JUMPS, cleanupText, withChainDeletes } from '../../../../src/proxy/backends/iptables/kernel.js';
import { serviceKeyString } from '../../../../src/proxy/types.js';
import { ep, plan, planned, svcPort } from './fixtures.js';

interface Call {
  file: string;
  args: readonly string[];
  stdin: string | undefined;
}

function fakeExec(respond: (c: Call) => Partial<ExecResult> = () => ({})): Exec & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    run(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
      const c: Call = { file, args, stdin: opts?.stdin?.toString() };
      calls.push(c);
      return Promise.resolve({ stdout: '', stderr: '', code: 0, signal: null, ...respond(c) });
    },
  };
}

const log = winston.createLogger({ silent: true });
const twoServices = () =>
  plan([
    planned(svcPort('default', 'a'), [ep('10.244.1.5'), ep('10.244.1.6')]),
    planned(svcPort('default', 'b', { clusterIP: '10.96.0.20' }), [ep('10.244.2.5')]),
  ]);

test('a first full sync: iptables-save for stale chains, one restore -w 5 --noflush, then -C/-I for every jump', async () => {
  const exec = fakeExec((c) => (c.file === 'iptables' && c.args.includes('-C') ? { code: 1 } : {}));
  const b = createIptablesBackend({ exec, log });
  const text = b.render(twoServices());
  await b.apply(text);
  const [save, restore, ...rest] = exec.calls;
  assert.deepEqual([save?.file, save?.args], ['iptables-save', ['-t', 'nat']]);
  assert.deepEqual([restore?.file, restore?.args, restore?.stdin], ['iptables-restore', ['-w', '5', '--noflush'], text]);
  assert.equal(rest.length, JUMPS.length * 2);
  assert.deepEqual(rest[0]?.args, ['-w', '5', '-t', 'filter', '-C', 'INPUT', '-m', 'conntrack', '--ctstate', 'NEW', '-m', 'comment', '--comment', 'kubernetes externally-visible service portals', '-j', 'KUBE-EXTERNAL-SERVICES']);
  assert.deepEqual(rest[1]?.args.slice(0, 6), ['-w', '5', '-t', 'filter', '-I', 'INPUT']);
  const natJump = rest.find((c) => c.args.includes('PREROUTING') && c.args.includes('-I'));
  assert.deepEqual(natJump?.args, ['-w', '5', '-t', 'nat', '-I', 'PREROUTING', '-m', 'comment', '--comment', 'kubernetes service portals', '-j', 'KUBE-SERVICES']);
});

test('stale chains found by iptables-save are deleted in the same restore', async () => {
  const save = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-OLDOLDOLDOLDOLDO - [0:0]\n:KUBE-SERVICES - [0:0]\nCOMMIT\n';
  const exec = fakeExec((c) => (c.file === 'iptables-save' ? { stdout: save } : {}));
  const b = createIptablesBackend({ exec, log });
  await b.apply(b.render(twoServices()));
  const restore = exec.calls.find((c) => c.file === 'iptables-restore');
  assert.match(restore?.stdin ?? '', /:KUBE-SVC-OLDOLDOLDOLDOLDO - \[0:0\]\n-X KUBE-SVC-OLDOLDOLDOLDOLDO\nCOMMIT\n\*mangle/);
});

test('partial syncs make exactly one restore call and no jump checks', async () => {
  const exec = fakeExec();
  const b = createIptablesBackend({ exec, log });
  await b.apply(b.render(twoServices()));
  exec.calls.length = 0;
  const p = twoServices();
  const a = p.services[0] ?? assert.fail();
  p.services[0] = planned(a.svc, [ep('10.244.1.5')]);
  p.changed = new Set([serviceKeyString(a.svc.key)]);
  const text = b.render(p);
  assert.ok(!text.includes('*mangle'), 'partial');
  await b.apply(text);
  assert.deepEqual(exec.calls.map((c) => c.file), ['iptables-restore']);
});

test('a failed restore throws ExecFailed with the failing line and makes the next render full', async () => {
  let fail = false;
  const exec = fakeExec((c) => (fail && c.file === 'iptables-restore' ? { code: 2, stderr: 'iptables-restore: line 3 failed' } : {}));
  const b = createIptablesBackend({ exec, log });
  await b.apply(b.render(twoServices()));
  fail = true;
  const p = { ...twoServices(), changed: new Set<string>() };
  const text = b.render(p);
  await assert.rejects(b.apply(text), (e: unknown) => isNodeletError(e, 'ExecFailed') && e.message.includes('(line: :KUBE-EXTERNAL-SERVICES - [0:0])'));
  fail = false;
  const again = b.render(p);
  assert.ok(again.includes('*mangle\n:KUBE-PROXY-CANARY'), 'full after failure');
  exec.calls.length = 0;
  await b.apply(again);
  assert.equal(exec.calls[0]?.file, 'iptables-save', 'a full sync after failure looks for stale chains');
  assert.ok(exec.calls.some((c) => c.args.includes('-C')), 'and ensures the jumps again');
});

test('text that render() did not produce is applied, and the next render is full', async () => {
  const exec = fakeExec();
  const b = createIptablesBackend({ exec, log });
  await b.apply(b.render(twoServices()));
  await b.apply('*filter\nCOMMIT\n');
  assert.ok(b.render({ ...twoServices(), changed: new Set() }).includes('*mangle'));
});

test('canaryPresent lists the mangle canary chain', async () => {
  const exec = fakeExec((c) => ({ code: c.args.includes('KUBE-PROXY-CANARY') ? 1 : 0 }));
  const b = createIptablesBackend({ exec, log });
  assert.equal(await b.canaryPresent(), false);
  assert.deepEqual(exec.calls[0]?.args, ['-w', '5', '-t', 'mangle', '-L', 'KUBE-PROXY-CANARY', '-n']);
  const ok = createIptablesBackend({ exec: fakeExec(), log });
  assert.equal(await ok.canaryPresent(), true);
});

test('cleanupText removes jumps to our chains and our chains only', () => {
  const save = [
    '*mangle',
    ':PREROUTING ACCEPT [0:0]',
    ':KUBE-PROXY-CANARY - [0:0]',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':DOCKER - [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A PREROUTING -j DOCKER',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-SERVICES -d 10.96.0.1/32 -j KUBE-SVC-AAAAAAAAAAAAAAAA',
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':KUBE-FIREWALL - [0:0]',
    '-A INPUT -j KUBE-FIREWALL',
    'COMMIT',
    '',
  ].join('\n');
  assert.equal(
    cleanupText(save),
    [
      '*mangle',
      ':KUBE-PROXY-CANARY - [0:0]',
      '-X KUBE-PROXY-CANARY',
      'COMMIT',
      '*nat',
      '-D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-D POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
      ':KUBE-SERVICES - [0:0]',
      ':KUBE-POSTROUTING - [0:0]',
      ':KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]',
      '-X KUBE-SERVICES',
      '-X KUBE-POSTROUTING',
      '-X KUBE-SVC-AAAAAAAAAAAAAAAA',
      'COMMIT',
      '',
    ].join('\n'),
  );
  assert.equal(cleanupText('*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n'), undefined);
});

test('withChainDeletes puts the deletions at the end of the nat section', () => {
  const text = '*filter\nCOMMIT\n*nat\n:A - [0:0]\nCOMMIT\n*mangle\nCOMMIT\n';
  assert.equal(withChainDeletes(text, ['KUBE-SEP-X']), '*filter\nCOMMIT\n*nat\n:A - [0:0]\n:KUBE-SEP-X - [0:0]\n-X KUBE-SEP-X\nCOMMIT\n*mangle\nCOMMIT\n');
  assert.equal(withChainDeletes(text, []), text);
});
