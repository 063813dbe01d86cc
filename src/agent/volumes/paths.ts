// On-disk layout of pod volumes, as upstream kubelet lays them out under its root dir:
//   <rootDir>/pods/<uid>/volumes/<plugin>/<volume name>
// Plugin directory names match upstream's ("kubernetes.io~empty-dir", ...) so tools that know
// kubelet's layout find things where they expect them.
import path from 'node:path';
import { ErrorCode, NodeletError } from '../../base/errors.js';

export const PLUGIN_DIR = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;
export type PluginKind = keyof typeof PLUGIN_DIR;

export function podsDir(rootDir: string): string {
  return path.join(rootDir, 'pods');
}

export function podDir(rootDir: string, uid: string): string {
  return path.join(podsDir(rootDir), checkUid(uid));
}

export function volumeDir(rootDir: string, uid: string, kind: PluginKind, name: string): string {
  return path.join(podDir(rootDir, uid), 'volumes', PLUGIN_DIR[kind], checkSegment('volume name', name));
}

// A uid or volume name becomes one path segment; anything that could climb out is refused.
function checkSegment(what: string, s: string): string {
  if (s === '' || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
    throw new NodeletError(ErrorCode.InvalidArgument, `${what} ${JSON.stringify(s)} cannot be used as a directory name`);
  }
  return s;
}

function checkUid(uid: string): string {
  return checkSegment('pod uid', uid);
}

const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

/**
 * Validates a path inside a projected volume (upstream AtomicWriter's validatePath) and returns
 * it cleaned: relative, no '..' element, not starting with '..' (reserved for the writer's own
 * entries), names at most 255 characters, at most 4096 in all.
 */
export function cleanPayloadPath(p: string): string {
  const invalid = (why: string): NodeletError => new NodeletError(ErrorCode.InvalidArgument, `invalid path: ${why}`);
  if (p === '') throw invalid(`must not be empty: ""`);
  if (path.posix.isAbsolute(p)) throw invalid(`must be relative path: ${p}`);
  if (p.length > MAX_PATH) throw invalid(`must be less than or equal to ${MAX_PATH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw invalid(`must not contain '..': ${p}`);
    if (item.length > MAX_FILE_NAME) throw invalid(`filenames must be less than or equal to ${MAX_FILE_NAME} characters`);
  }
  if ((items[0] ?? '').startsWith('..') && (items[0] ?? '').length > 2) throw invalid(`must not start with '..': ${p}`);
  const cleaned = path.posix.normalize(p).replace(/\/+$/, '');
  if (cleaned === '.' || cleaned === '') throw invalid(`must not be empty: ${JSON.stringify(p)}`);
  return cleaned;
}

/** A subPath must be relative and must not step back ('..'); upstream kubelet's messages. */
export function checkSubPath(subPath: string): void {
  if (path.posix.isAbsolute(subPath)) {
    throw new NodeletError(ErrorCode.InvalidArgument, `error SubPath \`${subPath}\` must not be an absolute path`);
  }
  if (subPath.split('/').includes('..')) {
    throw new NodeletError(ErrorCode.InvalidArgument, `unable to provision SubPath \`${subPath}\`: must not contain '..'`);
  }
}
