// tmpfs mounts for memory-backed volumes (emptyDir medium Memory; secret, downwardAPI and projected
// volumes, so their contents never reach a disk). Mounting goes through the injected Exec (the agent
// runs as root); whether a directory is already a mount point is read from /proc/self/mountinfo
// through an injectable reader, so the logic is testable without root.
import { readFile, realpath } from 'node:fs/promises';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { runChecked, type Exec } from '../../base/exec.js';
import { memoryToBytes } from '../../api/quantity.js';
import type { Pod } from '../../api/pod-types.js';

export interface MountInfoEntry {
  mountPoint: string;
  fsType: string;
}

export type MountInfoReader = () => Promise<string>;

export const readSelfMountInfo: MountInfoReader = () => readFile('/proc/self/mountinfo', 'utf8');

// mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses mountinfo lines: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPER". */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    const mountPoint = fields[4];
    if (dash < 5 || mountPoint === undefined) continue;
    entries.push({ mountPoint: unescapeField(mountPoint), fsType: fields[dash + 1] ?? '' });
  }
  return entries;
}

export class TmpfsMounter {
  constructor(private readonly deps: { exec: Exec; readMountInfo: MountInfoReader }) {}

  /** Whether `dir` (resolved through symlinks) is a mount point. */
  async isMountPoint(dir: string): Promise<boolean> {
    const real = await realpath(dir);
    return parseMountInfo(await this.deps.readMountInfo()).some((m) => m.mountPoint === real);
  }

  /** Mounts a tmpfs on `dir` unless something is mounted there already. */
  async ensureTmpfs(dir: string, sizeBytes: number | undefined, signal?: AbortSignal): Promise<void> {
    if (await this.isMountPoint(dir)) return;
    const opts = sizeBytes === undefined ? [] : ['-o', `size=${sizeBytes}`];
    await runChecked(this.deps.exec, 'mount', ['-t', 'tmpfs', ...opts, 'tmpfs', dir], { signal, timeoutMs: 30_000 });
  }

  /** Mount points at or below `dir`, deepest first. */
  async mountsUnder(dir: string): Promise<string[]> {
    const real = await realpath(dir);
    const prefix = real.endsWith('/') ? real : `${real}/`;
    const points = parseMountInfo(await this.deps.readMountInfo())
      .map((m) => m.mountPoint)
      .filter((p) => p === real || p.startsWith(prefix));
    return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
  }

  /**
   * Unmounts everything at or below `dir`, deepest first (stacked mounts need one umount each).
   * Throws FailedPrecondition when something stays mounted: removing the directory then would
   * reach into whatever is mounted there.
   */
  async unmountUnder(dir: string, signal?: AbortSignal): Promise<void> {
    for (let round = 0; round < 4; round++) {
      const points = await this.mountsUnder(dir);
      if (points.length === 0) return;
      for (const p of points) await runChecked(this.deps.exec, 'umount', [p], { signal, timeoutMs: 30_000 });
    }
    const left = await this.mountsUnder(dir);
    if (left.length > 0) throw new NodeletError(ErrorCode.FailedPrecondition, `still mounted under ${dir}: ${left.join(', ')}`);
  }
}

/**
 * The tmpfs size for a memory-backed volume, as upstream's calculateEmptyDirMemorySize: node
 * allocatable memory, lowered to the pod's memory limit when every container declares one, lowered
 * to the volume's sizeLimit when that is smaller. Undefined (no size option) when nothing is known.
 */
export function tmpfsSizeBytes(pod: Pod, sizeLimit: string | undefined, nodeAllocatableMemory: string): number | undefined {
  let size = positive(memoryToBytes(nodeAllocatableMemory));
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && (size === undefined || podLimit < size)) size = podLimit;
  const volLimit = sizeLimit === undefined ? undefined : positive(memoryToBytes(sizeLimit));
  if (volLimit !== undefined && (size === undefined || volLimit < size)) size = volLimit;
  return size;
}

/** max(sum of app containers' memory limits, largest init container limit); undefined when any container has none. */
export function podMemoryLimit(pod: Pod): number | undefined {
  const limitOf = (c: { resources?: { limits?: Record<string, string> } }): number | undefined => {
    const q = c.resources?.limits?.memory;
    return q === undefined ? undefined : positive(memoryToBytes(q));
  };
  let sum = 0;
  for (const c of pod.spec.containers) {
    const l = limitOf(c);
    if (l === undefined) return undefined;
    sum += l;
  }
  let initMax = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const l = limitOf(c);
    if (l === undefined) return undefined;
    initMax = Math.max(initMax, l);
  }
  return positive(Math.max(sum, initMax));
}

function positive(n: number): number | undefined {
  return n > 0 ? n : undefined;
}
