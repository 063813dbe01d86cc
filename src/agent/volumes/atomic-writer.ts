// Upstream kubelet's AtomicWriter scheme for configMap, secret, downwardAPI and projected volumes:
// the files live in a hidden timestamped directory ("..2024_05_01_10_00_00.ab12cd"), "..data" is a
// symlink to it, and each visible top-level name is a symlink "name -> ..data/name". An update
// writes a new timestamped directory and swaps "..data" with one rename, so a reader sees the old
// set of files or the new one, never a mix. Names starting with ".." are reserved for the writer.
// Not safe for concurrent writes to one directory: the caller serialises (one call per pod).
import { lstat, mkdir, mkdtemp, open, readdir, readFile, readlink, rename, rm, symlink, chmod } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../base/clock.js';
import { cleanPayloadPath } from './paths.js';

export interface FileProjection {
  data: Buffer;
  /** Permission bits, e.g. 0o644. */
  mode: number;
}

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const TS_DIR = /^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\./;

/** Validates the payload's paths and returns them cleaned (a later duplicate wins, as upstream). */
export function cleanPayload(payload: ReadonlyMap<string, FileProjection>): Map<string, FileProjection> {
  const clean = new Map<string, FileProjection>();
  for (const [p, f] of payload) clean.set(cleanPayloadPath(p), f);
  return clean;
}

/**
 * Projects `payload` into `targetDir` (which must exist). Returns false when the directory already
 * held exactly this content (same files, bytes and modes): nothing is written then.
 */
export async function writeAtomically(targetDir: string, payload: ReadonlyMap<string, FileProjection>, clock: Clock): Promise<boolean> {
  const files = cleanPayload(payload);
  const dataLink = path.join(targetDir, DATA_DIR);
  const oldTs = await readlinkOrEmpty(dataLink);
  const oldTsPath = oldTs === '' ? '' : path.join(targetDir, oldTs);

  let toRemove: string[] = [];
  if (oldTsPath !== '') {
    toRemove = await pathsToRemove(files, oldTsPath);
    if (toRemove.length === 0 && !(await payloadDiffers(files, oldTsPath))) return false;
  }

  const tsDir = await mkdtemp(path.join(targetDir, timestampPrefix(clock.now())));
  try {
    // 0755 so group and other can walk the tree whatever the umask.
    await chmod(tsDir, 0o755);
    await writePayload(files, tsDir);
    await createVisibleLinks(files, targetDir);
    const tmpLink = path.join(targetDir, NEW_DATA_DIR);
    await rm(tmpLink, { force: true }); // left over by a crash between symlink and rename
    await symlink(path.basename(tsDir), tmpLink);
    await rename(tmpLink, dataLink);
  } catch (err) {
    await rm(tsDir, { recursive: true, force: true });
    throw err;
  }

  for (const p of toRemove) {
    // Only top-level entries are visible symlinks; nested paths vanish with the old directory.
    if (!p.includes('/')) await rm(path.join(targetDir, p), { force: true, recursive: true });
  }
  await removeStaleTimestampDirs(targetDir, path.basename(tsDir));
  return true;
}

async function readlinkOrEmpty(p: string): Promise<string> {
  try {
    return await readlink(p);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return '';
    throw err;
  }
}

/** Paths present in the old data directory that the new payload no longer has (parents kept). */
async function pathsToRemove(files: ReadonlyMap<string, FileProjection>, oldTsPath: string): Promise<string[]> {
  let existing: string[];
  try {
    existing = await readdir(oldTsPath, { recursive: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw err;
  }
  const wanted = new Set<string>();
  for (const p of files.keys()) {
    for (let sub = p; sub !== '.' && sub !== ''; sub = path.posix.dirname(sub)) wanted.add(sub);
  }
  return existing.filter((p) => !wanted.has(p)).sort();
}

async function payloadDiffers(files: ReadonlyMap<string, FileProjection>, oldTsPath: string): Promise<boolean> {
  for (const [p, f] of files) {
    const full = path.join(oldTsPath, p);
    try {
      const st = await lstat(full);
      if (!st.isFile() || (st.mode & 0o7777) !== f.mode) return true;
      if (!(await readFile(full)).equals(f.data)) return true;
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return true;
      throw err;
    }
  }
  return false;
}

async function writePayload(files: ReadonlyMap<string, FileProjection>, dir: string): Promise<void> {
  for (const [p, f] of files) {
    const full = path.join(dir, p);
    await mkdir(path.dirname(full), { recursive: true, mode: 0o755 });
    const handle = await open(full, 'wx', f.mode);
    try {
      await handle.writeFile(f.data);
      // The umask may have narrowed the mode at creation; chmod sets exactly what was asked.
      await handle.chmod(f.mode);
    } finally {
      await handle.close();
    }
  }
}

/** "name -> ..data/name" for each top-level name (a directory for nested paths). */
async function createVisibleLinks(files: ReadonlyMap<string, FileProjection>, targetDir: string): Promise<void> {
  const tops = new Set<string>();
  for (const p of files.keys()) tops.add(p.split('/')[0] ?? p);
  for (const top of tops) {
    const link = path.join(targetDir, top);
    if ((await readlinkOrEmpty(link)) !== '') continue;
    try {
      await symlink(path.join(DATA_DIR, top), link);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
  }
}

// Besides the previous directory, removes any left behind by a crash before the cleanup step.
async function removeStaleTimestampDirs(targetDir: string, current: string): Promise<void> {
  for (const name of await readdir(targetDir)) {
    if (name !== current && TS_DIR.test(name)) await rm(path.join(targetDir, name), { recursive: true, force: true });
  }
}

/** "..2006_01_02_15_04_05." in UTC, as upstream names its timestamped directories. */
export function timestampPrefix(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${two(d.getUTCMonth() + 1)}_${two(d.getUTCDate())}_${two(d.getUTCHours())}_${two(d.getUTCMinutes())}_${two(d.getUTCSeconds())}.`;
}

export function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
