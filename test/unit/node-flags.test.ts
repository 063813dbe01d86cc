import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingNodeFlags, reexecWithNodeFlags, subcommandOf, type ReexecDeps } from '../../src/node-flags.js';

test('the agent gets its heap and compiler flags; other subcommands and help get none', () => {
  assert.deepEqual(missingNodeFlags(['agent', '--kubeconfig', 'k'], [], ''), ['--max-semi-space-size=1', '--initial-old-space-size=16', '--no-turbofan', '--no-maglev']);
  assert.deepEqual(missingNodeFlags(['apiserver'], [], ''), []);
  assert.deepEqual(missingNodeFlags(['--help'], [], ''), []);
  assert.deepEqual(missingNodeFlags([], [], ''), []);
  assert.equal(subcommandOf(['--verbose', 'agent', 'x']), 'agent');
});

test('a flag already given as a node argument or in NODE_OPTIONS (either spelling) wins', () => {
  assert.deepEqual(missingNodeFlags(['agent'], ['--max-semi-space-size=1'], ''), ['--initial-old-space-size=16', '--no-turbofan', '--no-maglev']);
  assert.deepEqual(missingNodeFlags(['agent'], ['--max-semi-space-size=8', '--initial_old_space_size=64', '--turbofan', '--maglev'], ''), []);
  assert.deepEqual(missingNodeFlags(['agent'], ['--no_maglev', '--initial-old-space-size=32'], '--inspect --max_semi_space_size=4'), ['--no-turbofan']);
  assert.deepEqual(missingNodeFlags(['agent'], ['--enable-source-maps'], '--inspect'), ['--max-semi-space-size=1', '--initial-old-space-size=16', '--no-turbofan', '--no-maglev']);
});

function deps(over: Partial<ReexecDeps>): ReexecDeps & { calls: Array<[string, string[]]> } {
  const calls: Array<[string, string[]]> = [];
  return {
    argv: ['/usr/bin/node', '/opt/nodelet/dist/src/cli.js', 'agent', '--config', 'c.yaml'],
    execArgv: ['--enable-source-maps'],
    env: {},
    execPath: '/usr/bin/node',
    execve: (file, args) => {
      calls.push([file, args]);
      throw new Error('exec is faked');
    },
    calls,
    ...over,
  };
}

test('re-executes in place with node arguments, the flags, then the script and its arguments', (t) => {
  t.mock.method(process, 'emitWarning', () => undefined);
  const d = deps({});
  reexecWithNodeFlags(d);
  assert.deepEqual(d.calls, [['/usr/bin/node', ['/usr/bin/node', '--enable-source-maps', '--max-semi-space-size=1', '--initial-old-space-size=16', '--no-turbofan', '--no-maglev', '/opt/nodelet/dist/src/cli.js', 'agent', '--config', 'c.yaml']]]);
});

test('no exec when nothing is missing or Node has no execve; a failed exec only warns', (t) => {
  const warn = t.mock.method(process, 'emitWarning', () => undefined);
  const given = deps({ execArgv: ['--max-semi-space-size=1', '--initial-old-space-size=16', '--no-turbofan', '--no-maglev'] });
  reexecWithNodeFlags(given);
  assert.equal(given.calls.length, 0);
  reexecWithNodeFlags(deps({ execve: undefined }));
  const failing = deps({});
  reexecWithNodeFlags(failing);
  assert.equal(failing.calls.length, 1);
  assert.equal(warn.mock.callCount(), 1);
});
