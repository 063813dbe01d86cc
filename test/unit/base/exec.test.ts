import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemExec, runChecked } from '../../../src/base/exec.js';
import { isNodeletError, ErrorCode } from '../../../src/base/errors.js';

test('exec returns stdout, stderr and the exit code, and feeds stdin', async () => {
  const res = await systemExec.run('/bin/sh', ['-c', 'cat; echo err >&2; exit 3'], { stdin: 'hello' });
  assert.equal(res.stdout, 'hello');
  assert.equal(res.stderr, 'err\n');
  assert.equal(res.code, 3);
});

test('runChecked throws ExecFailed with stderr for a non-zero exit', async () => {
  await assert.rejects(runChecked(systemExec, '/bin/sh', ['-c', 'echo bad input >&2; exit 2']), (err: unknown) => {
    assert.ok(isNodeletError(err, ErrorCode.ExecFailed));
    assert.match(err.message, /exit code 2: bad input/);
    return true;
  });
});

test('a missing program is ExecFailed, not a crash', async () => {
  await assert.rejects(systemExec.run('/nonexistent/program', []), (err: unknown) => isNodeletError(err, ErrorCode.ExecFailed));
});

test('timeoutMs kills a process that runs too long', async () => {
  const res = await systemExec.run('/bin/sleep', ['30'], { timeoutMs: 100 });
  assert.equal(res.code, null);
  assert.equal(res.signal, 'SIGKILL');
});

test('an aborted signal cancels the process', async () => {
  const ac = new AbortController();
  const p = systemExec.run('/bin/sleep', ['30'], { signal: ac.signal });
  ac.abort();
  await assert.rejects(p, (err: unknown) => isNodeletError(err, ErrorCode.Cancelled));
});
