// Cgroups that pods and containers of a test create (cgroupfs driver, cgroup v1 hybrid here):
// runc makes the same path in every hierarchy and leaves it when its shim is killed.
// Tests name their cgroup parents after their temp dir, so the name finds them.
import { readdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { systemClock } from '../../src/base/clock.js';
import { readMounts } from './mounts.js';
import { killAndWait } from './procs.js';

/** Mount points of all cgroup hierarchies (v1 controllers, name=systemd, the unified v2 one). */
export async function cgroupHierarchies(): Promise<string[]> {
  return (await readMounts()).filter((m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2').map((m) => m.mountPoint);
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}

/**
 * Cgroup directories in any hierarchy that are, or lie below, a directory whose name contains
 * `name`; deepest first, so they can be removed in order.
 */
export async function findCgroups(name: string): Promise<string[]> {
  if (name.length < 8) throw new Error(`refusing to look for cgroups by the broad name ${JSON.stringify(name)}`);
  const found: string[] = [];
  const walk = async (dir: string, inside: boolean, depth: number): Promise<void> => {
    if (depth > 12) return;
    for (const sub of await subdirs(dir)) {
      const match = inside || path.basename(sub).includes(name);
      if (match) found.push(sub);
      await walk(sub, match, depth + 1);
    }
  };
  for (const root of await cgroupHierarchies()) await walk(root, false, 0);
  return found.sort((a, b) => b.split('/').length - a.split('/').length);
}

async function procsIn(dir: string): Promise<number[]> {
  try {
    return (await readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter((s) => s !== '').map(Number);
  } catch {
    return [];
  }
}

/**
 * Removes the cgroups `findCgroups(name)` finds. With `kill`, processes still in them are killed
 * first (orphans whose shim died); without, a busy cgroup is left. Returns what is left.
 */
export async function removeCgroups(name: string, opts: { kill: boolean }): Promise<string[]> {
  const dirs = await findCgroups(name);
  if (opts.kill) {
    const pids = (await Promise.all(dirs.map(procsIn))).flat();
    const survivors = await killAndWait(pids);
    if (survivors.length > 0) throw new Error(`processes in cgroups of ${name} survived SIGKILL: ${survivors.join(', ')}`);
  }
  const left: string[] = [];
  for (const dir of dirs) {
    if (!opts.kill && (await procsIn(dir)).length > 0) {
      left.push(dir);
      continue;
    }
    // Right after its last process exits, a cgroup can briefly stay busy (EBUSY).
    for (let attempt = 0; ; attempt++) {
      try {
        await rmdir(dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (code !== 'EBUSY' || attempt >= 50) {
          left.push(dir);
          break;
        }
        await systemClock.sleep(20);
      }
    }
  }
  return left;
}
