// The one teardown every harness part ends with: whatever ran from, was mounted under, or was
// created for a directory goes away with it, even when the daemon that made it is long dead.
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage } from '../../src/base/errors.js';
import { removeCgroups } from './cgroups.js';
import { unmountUnder } from './mounts.js';
import { killProcessesMentioning } from './procs.js';

export interface SweepOptions {
  /** Also remove cgroups with a path segment containing this (a temp dir's basename). */
  cgroupName?: string;
  /**
   * Kill processes still in those cgroups and fail if one cannot be removed (the final sweep of a
   * test). Otherwise only empty cgroups are removed, quietly (a daemon's own teardown).
   */
  strictCgroups?: boolean;
}

/** Set to a directory to keep the daemons' logs of every test there (e.g. for CI artifacts). */
export const KEEP_LOGS_ENV = 'NODELET_TEST_LOGS';

/** Copies <dir>/*.log and <dir>/*\/*.log to $NODELET_TEST_LOGS/<test dir name>/... when that is set. */
async function keepLogs(dir: string): Promise<void> {
  const target = process.env[KEEP_LOGS_ENV];
  if (target === undefined || target === '') return;
  // Keep the path from the test directory (nodelet-test-XXXXXX) down, so tests do not overwrite each other.
  const parts = dir.split(path.sep);
  const at = parts.findIndex((p) => p.startsWith('nodelet-test-'));
  const rel = at >= 0 ? parts.slice(at).join(path.sep) : path.basename(dir);
  const walk = async (from: string, depth: number): Promise<void> => {
    const entries = await readdir(from, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(from, e.name);
      if (e.isFile() && e.name.endsWith('.log')) {
        const to = path.join(target, rel, path.relative(dir, full));
        await mkdir(path.dirname(to), { recursive: true });
        await copyFile(full, to);
      } else if (e.isDirectory() && depth < 1) {
        await walk(full, depth + 1);
      }
    }
  };
  await walk(dir, 0);
}

/**
 * In order: SIGKILLs every process whose command line mentions `dir` and their descendants,
 * unmounts everything under `dir` (deepest first), removes the cgroups, keeps the logs when
 * $NODELET_TEST_LOGS says so, deletes `dir`.
 * Every step runs even when an earlier one fails; then one error lists all that failed.
 */
export async function sweepDir(dir: string, opts: SweepOptions = {}): Promise<void> {
  const failures: string[] = [];
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      failures.push(`${what}: ${errorMessage(err)}`);
    }
  };
  await step('kill processes', async () => {
    await killProcessesMentioning(dir);
  });
  await step('unmount', () => unmountUnder(dir));
  const cgroupName = opts.cgroupName;
  if (cgroupName !== undefined) {
    await step('remove cgroups', async () => {
      const left = await removeCgroups(cgroupName, { kill: opts.strictCgroups === true });
      if (left.length > 0 && opts.strictCgroups === true) throw new Error(`cgroups left: ${left.join(', ')}`);
    });
  }
  await step('keep logs', () => keepLogs(dir));
  await step('remove directory', () => rm(dir, { recursive: true, force: true, maxRetries: 3 }));
  if (failures.length > 0) throw new Error(`teardown of ${dir} incomplete: ${failures.join('; ')}`);
}
