// An assert.rejects/throws validator shared by the CRI client and channel tests.
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';

/** Passes a NodeletError with `code` whose message matches `detail` (when given). */
export function rejectsWith(code: ErrorCode, detail?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isNodeletError(err), `expected a NodeletError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (detail !== undefined) assert.match(err.message, detail);
    return true;
  };
}
