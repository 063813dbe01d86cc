// The backend's effects through a fake Exec: state kept only on success, failures escalate to full
// syncs, the first sync lists the table for leftovers, canary and cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exec, ExecOptions, ExecResult } from '../../../../src/base/exec.js';
import { isNodeletError } from '../../../../src/base/errors.js';
import { createLogger } from '../../../../src/base/log.js';
import { createNftablesBackend } from '../../../../src/proxy/backends/nftables/index.js';
import { ep, plan, svc } from './plans.js';

interface Call {
  args: readonly string[];
  stdin: string;
}

function fakeExec(answer: (args: readonly string[], stdin: string) => Partial<ExecResult> = () => ({})): { exec: Exec; calls: Call[] } {
  const calls: Call[] = [];
  const exec: Exec = {
    run(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
      assert.equal(file, 'nft');
      const stdin = typeof opts?.stdin === 'string' ? opts.stdin : '';
      calls.push({ args, stdin });
      return Promise.resolve({ stdout: '', stderr: '', code: 0, signal: null, ...answer(args, stdin) });
    },
  };
  return { exec, calls };
}

const log = createLogger({ level: 'error', format: 'json' });
const one = (ip: string) => plan([svc({ name: 'a', endpoints: [ep(ip, 80)] })]);
const changedA = new Set(['ns1/a:p80/tcp']);

test('the first sync is full and deletes leftover affinity sets found in the table; later syncs are partial', async () => {
  const listing = {
    nftables: [
      { metainfo: { version: '1.0.6' } },
      { set: { family: 'ip', table: 'nodelet', name: 'affinity-OLD-ns1/x/tcp/p80__10.0.0.1/80' } },
      { set: { family: 'ip', table: 'other', name: 'affinity-NOTOURS' } },
      { chain: { family: 'ip', table: 'nodelet', name: 'service-OLD-ns1/x/tcp/p80' } },
    ],
  };
  const { exec, calls } = fakeExec((args) => (args[0] === '-j' ? { stdout: JSON.stringify(listing) } : {}));
  const b = createNftablesBackend({ exec, log });
  const text = b.render(one('10.244.1.1'));
  assert.match(text, /^flush table ip nodelet$/m);
  await b.apply(text);
  const applied = calls.find((c) => c.args.join(' ') === '-f -');
  assert.ok(applied);
  assert.match(applied.stdin, /^delete set ip nodelet affinity-OLD-ns1\/x\/tcp\/p80__10\.0\.0\.1\/80$/m);
  assert.doesNotMatch(applied.stdin, /NOTOURS/);

  const partial = b.render({ ...one('10.244.1.2'), changed: changedA });
  assert.doesNotMatch(partial, /flush table/);
  // The leftover chain, emptied by the full sync, is deleted by the next transaction.
  assert.match(partial, /^delete chain ip nodelet service-OLD-ns1\/x\/tcp\/p80$/m);
});

test('a failed apply keeps the old state and makes the next render full; repeated failures reset the table', async () => {
  let fail = false;
  const { exec, calls } = fakeExec((args) => (args[0] === '-f' && fail ? { code: 1, stderr: 'Error: boom' } : {}));
  const b = createNftablesBackend({ exec, log });
  await b.apply(b.render(one('10.244.1.1')));
  fail = true;
  const partial = b.render({ ...one('10.244.1.2'), changed: changedA });
  assert.doesNotMatch(partial, /flush table/);
  await assert.rejects(b.apply(partial), (err) => isNodeletError(err, 'ExecFailed') && /boom/.test(err.message));
  const afterOne = b.render({ ...one('10.244.1.2'), changed: changedA });
  assert.match(afterOne, /^flush table ip nodelet$/m);
  await assert.rejects(b.apply(afterOne));
  await assert.rejects(b.apply(b.render({ ...one('10.244.1.2'), changed: changedA })));
  const reset = b.render({ ...one('10.244.1.2'), changed: changedA });
  assert.match(reset, /^delete table ip nodelet$/m);
  fail = false;
  await b.apply(reset);
  assert.doesNotMatch(b.render({ ...one('10.244.1.3'), changed: changedA }), /flush table|delete table/);
  assert.ok(calls.length > 0);
});

test('a missing canary makes the next sync full', async () => {
  let canary = true;
  const { exec } = fakeExec((args) =>
    args[0] === 'list' && args[1] === 'chain'
      ? canary
        ? { stdout: 'table ip nodelet {\n chain canary {\n counter packets 0 bytes 0 comment "nodelet-canary"\n }\n}\n' }
        : { code: 1, stderr: 'Error: No such file or directory' }
      : {},
  );
  const b = createNftablesBackend({ exec, log });
  await b.apply(b.render(one('10.244.1.1')));
  assert.equal(await b.canaryPresent(), true);
  assert.doesNotMatch(b.render({ ...one('10.244.1.2'), changed: changedA }), /flush table/);
  canary = false;
  assert.equal(await b.canaryPresent(), false);
  assert.match(b.render({ ...one('10.244.1.2'), changed: changedA }), /^flush table ip nodelet$/m);
});

test('cleanup deletes the table and accepts a table that is already gone, but not other failures', async () => {
  let tables = '';
  const { exec, calls } = fakeExec((args) =>
    args[0] === 'delete' ? { code: 1, stderr: 'Error: No such file or directory' } : args[0] === 'list' ? { stdout: tables } : {},
  );
  const b = createNftablesBackend({ exec, log });
  await b.cleanup();
  assert.deepEqual(calls[0]?.args, ['delete', 'table', 'ip', 'nodelet']);
  tables = 'table ip nodelet\n';
  await assert.rejects(b.cleanup(), (err) => isNodeletError(err, 'ExecFailed'));
});
