// Files other processes read (certificates, tokens, kubeconfigs) are replaced whole: a reader sees
// the old content or the new, never half of it, and a crash leaves no truncated file behind.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits of the new file (default 0o644). Set at creation, so the content is never readable wider. */
  mode?: number;
}

/** Writes `data` to a temporary file beside `file`, syncs it, then renames it over `file`. */
export async function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    try {
      await handle.writeFile(data);
      // The umask may have narrowed the mode at creation; chmod sets exactly what was asked.
      await handle.chmod(opts.mode ?? 0o644);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // The rename is durable only once the directory entry is on disk.
  const dirHandle = await open(dir, 'r');
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}
