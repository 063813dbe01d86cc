// A private directory per test. Its name (nodelet-test-XXXXXX) marks everything the test creates:
// daemons get their config and sockets there (so their command lines mention it), pods get cgroup
// parents named after it, and scripts/check-leftovers.sh looks for that name after `make test`.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Disposable } from '../../src/base/lifecycle.js';
import { sweepDir } from './sweep.js';

export const TEMP_PREFIX = 'nodelet-test-';

export interface TempDir extends Disposable {
  /** Absolute path, e.g. /tmp/nodelet-test-Ab12Cd. */
  readonly path: string;
  /** The basename, e.g. nodelet-test-Ab12Cd. */
  readonly name: string;
  /**
   * An absolute cgroupfs parent for the test's pods and containers, e.g. /nodelet-test-Ab12Cd.
   * Use it (or a path below it) as cgroup_parent / cgroupRoot so that teardown finds the cgroups.
   */
  readonly cgroupParent: string;
  /** A path inside the directory. */
  join(...parts: string[]): string;
  /**
   * Kills every process whose command line mentions the directory (with descendants) or that
   * lives in its cgroups, unmounts everything below it, removes its cgroups and the directory.
   * Idempotent; throws when something could not be removed.
   */
  dispose(): Promise<void>;
}

/**
 * Creates the directory under os.tmpdir(), or /tmp when that path is long: unix socket paths
 * inside it must stay below 108 bytes.
 */
export async function createTempDir(): Promise<TempDir> {
  const base = os.tmpdir().length <= 32 ? os.tmpdir() : '/tmp';
  const dir = await mkdtemp(path.join(base, TEMP_PREFIX));
  const name = path.basename(dir);
  let disposed: Promise<void> | undefined;
  return {
    path: dir,
    name,
    cgroupParent: `/${name}`,
    join: (...parts) => path.join(dir, ...parts),
    dispose: () => (disposed ??= sweepDir(dir, { cgroupName: name, strictCgroups: true })),
  };
}
