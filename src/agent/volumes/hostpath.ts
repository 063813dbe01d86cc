// hostPath type checks, as upstream's hostPath plugin does them before a container starts: the
// path must already be what the type says (Directory, File, Socket, CharDevice, BlockDevice), or is
// created (DirectoryOrCreate: 0755 with parents; FileOrCreate: an empty 0644 file, parent must
// exist). An empty type checks nothing.
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, open, stat } from 'node:fs/promises';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import type { HostPathType } from '../../api/pod-types.js';
import { isErrno } from './atomic-writer.js';

function failed(p: string, what: string): NodeletError {
  return new NodeletError(ErrorCode.FailedPrecondition, `hostPath type check failed: ${p} is not ${what}`);
}

async function statOrUndefined(p: string, follow: boolean): Promise<Stats | undefined> {
  try {
    return follow ? await stat(p) : await lstat(p);
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** Checks (or creates) `p` per `type`; throws FailedPrecondition with upstream's message. */
export async function checkHostPathType(p: string, type: HostPathType | undefined): Promise<void> {
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate': {
      const st = await statOrUndefined(p, true);
      if (st === undefined) {
        await mkdir(p, { recursive: true, mode: 0o755 });
        await chmod(p, 0o755); // the umask may have narrowed it
        return;
      }
      if (!st.isDirectory()) throw failed(p, 'a directory');
      return;
    }
    case 'Directory': {
      const st = await statOrUndefined(p, true);
      if (st?.isDirectory() !== true) throw failed(p, 'a directory');
      return;
    }
    case 'FileOrCreate': {
      const st = await statOrUndefined(p, true);
      if (st === undefined) {
        await createEmptyFile(p);
        return;
      }
      if (!st.isFile()) throw failed(p, 'a file');
      return;
    }
    case 'File': {
      const st = await statOrUndefined(p, true);
      if (st?.isFile() !== true) throw failed(p, 'a file');
      return;
    }
    case 'Socket': {
      const st = await statOrUndefined(p, false);
      if (st?.isSocket() !== true) throw failed(p, 'a socket file');
      return;
    }
    case 'CharDevice': {
      const st = await statOrUndefined(p, false);
      if (st?.isCharacterDevice() !== true) throw failed(p, 'a character device');
      return;
    }
    case 'BlockDevice': {
      const st = await statOrUndefined(p, false);
      if (st?.isBlockDevice() !== true) throw failed(p, 'a block device');
      return;
    }
    default:
      throw new NodeletError(ErrorCode.InvalidArgument, `hostPath type ${JSON.stringify(type)} is not supported`);
  }
}

async function createEmptyFile(p: string): Promise<void> {
  let handle;
  try {
    handle = await open(p, 'wx', 0o644);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return; // made by someone else meanwhile: keep it as it is
    if (isErrno(err, 'ENOENT')) {
      throw new NodeletError(ErrorCode.FailedPrecondition, `hostPath type check failed: cannot create file ${p}: its parent directory does not exist`, { cause: err });
    }
    throw err;
  }
  try {
    await handle.chmod(0o644);
  } finally {
    await handle.close();
  }
}
