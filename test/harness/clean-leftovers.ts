// Removes what crashed or interrupted test runs left behind (what scripts/check-leftovers.sh
// reports): every nodelet-test-* directory with its processes, mounts and cgroups, and every
// nlt-* network namespace. It also ends tests running right now, so run it only when none are.
//   node dist/test/harness/clean-leftovers.js
import { readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { systemExec } from '../../src/base/exec.js';
import { errorMessage } from '../../src/base/errors.js';
import { removeCgroups } from './cgroups.js';
import { criSandboxIds, removeCniCache } from './containerd.js';
import { NETNS_PREFIX } from './netns.js';
import { killProcessesInNetns } from './procs.js';
import { sweepDir } from './sweep.js';
import { TEMP_PREFIX } from './tmp.js';

async function main(): Promise<number> {
  let failed = 0;
  const attempt = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
      console.log(`cleaned ${what}`);
    } catch (err) {
      failed++;
      console.error(`could not clean ${what}: ${errorMessage(err)}`);
    }
  };

  const netns = (await systemExec.run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
  for (const name of netns.filter((n) => n.startsWith(NETNS_PREFIX))) {
    await attempt(`netns ${name}`, async () => {
      await killProcessesInNetns(`/var/run/netns/${name}`);
      await systemExec.run('ip', ['netns', 'delete', name]);
    });
  }

  const bases = [...new Set([os.tmpdir(), '/tmp'])];
  for (const base of bases) {
    for (const entry of await readdir(base)) {
      if (entry.startsWith(TEMP_PREFIX)) {
        const dir = path.join(base, entry);
        await attempt(dir, async () => {
          const sandboxes = await criSandboxIds(path.join(dir, 'containerd'));
          await sweepDir(dir, { cgroupName: entry, strictCgroups: true });
          await removeCniCache(sandboxes);
        });
      }
    }
  }
  // Cgroups of test dirs that are already gone.
  await attempt('cgroups', async () => {
    const left = await removeCgroups(TEMP_PREFIX, { kill: true });
    if (left.length > 0) throw new Error(`left: ${left.join(', ')}`);
  });
  await attempt('CNI state', async () => {
    for (const dir of ['/var/lib/cni/results', '/var/lib/cni/networks']) {
      const names = await readdir(dir).catch(() => []);
      await Promise.all(names.filter((n) => n.startsWith(NETNS_PREFIX)).map((n) => rm(path.join(dir, n), { recursive: true, force: true })));
    }
  });
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main();
