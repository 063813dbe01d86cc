// Mounts a test leaves behind (container rootfs overlays, shm, pod netns files, dockerd's
// data root) are found in /proc/self/mountinfo and unmounted deepest first.
import { readFile } from 'node:fs/promises';
import { systemExec } from '../../src/base/exec.js';

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

// mountinfo escapes space, tab, newline and backslash as octal.
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/self/mountinfo text: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER". */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    const mountPoint = fields[4];
    if (dash < 0 || mountPoint === undefined) continue;
    entries.push({ mountPoint: unescape(mountPoint), fsType: fields[dash + 1] ?? '', source: unescape(fields[dash + 2] ?? '') });
  }
  return entries;
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

/** Mounts at `dir` or below it, deepest first. */
export async function mountsUnder(dir: string): Promise<MountEntry[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const under = (await readMounts()).filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(prefix));
  return under.sort((a, b) => b.mountPoint.split('/').length - a.mountPoint.split('/').length);
}

/**
 * Unmounts everything at or below `dir`, deepest first; a busy mount is detached lazily.
 * Throws when a mount remains (it would make removing the directory fail or leak).
 */
export async function unmountUnder(dir: string): Promise<void> {
  // Stacked mounts at one point need one umount each: repeat while progress is made.
  for (let round = 0; round < 8; round++) {
    const mounts = await mountsUnder(dir);
    if (mounts.length === 0) return;
    for (const m of mounts) {
      const res = await systemExec.run('umount', [m.mountPoint], { timeoutMs: 10_000 });
      if (res.code !== 0) await systemExec.run('umount', ['-l', m.mountPoint], { timeoutMs: 10_000 });
    }
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted under ${dir}: ${left.map((m) => m.mountPoint).join(', ')}`);
}
