// The agent's volume manager (upstream kubelet's volume plugins for emptyDir, hostPath, configMap,
// secret, downwardAPI and projected). Each volume is made ready under
//   <rootDir>/pods/<uid>/volumes/<plugin>/<name>
// before the pod's containers start; the result gives each container its CRI mounts.
//
// Contract: setUp is idempotent and is called on every pod sync (it refreshes configMap, secret and
// downwardAPI contents when they changed); tearDown undoes everything for a pod uid. Calls for one
// uid are serialised here (setUp racing tearDown from orphan cleanup is safe); different uids run
// in parallel. Aborting the signal stops between steps and rejects with Cancelled.
import { chmod, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import type { Clock } from '../../base/clock.js';
import type { Exec } from '../../base/exec.js';
import type { Pod, Volume } from '../../api/pod-types.js';
import type { PodObjects } from '../objects.js';
import { isErrno, writeAtomically } from './atomic-writer.js';
import { volumeContents } from './contents.js';
import { VolumeSetUpError, toFailure, type VolumeFailure } from './errors.js';
import { checkHostPathType } from './hostpath.js';
import { podDir, podsDir, volumeDir, type PluginKind } from './paths.js';
import { ReadyPodVolumes, type PodVolumes, type ReadyVolume } from './pod-volumes.js';
import { TmpfsMounter, readSelfMountInfo, tmpfsSizeBytes, type MountInfoReader } from './tmpfs.js';

export type { PodVolumes } from './pod-volumes.js';
export { VolumeSetUpError, failedMountMessage, failedMountMessages, type VolumeFailure } from './errors.js';

/** The logger methods the manager uses (a winston Logger fits). */
export interface VolumeLog {
  warn(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

export interface VolumeManagerDeps {
  rootDir: string;
  objects: PodObjects;
  exec: Exec;
  clock: Clock;
  nodeAllocatable: () => { cpu: string; memory: string };
  log: VolumeLog;
  /** Reads /proc/self/mountinfo; injectable so tests need no root. */
  readMountInfo?: MountInfoReader;
}

export interface SetUpContext {
  podIPs: string[];
  hostIP?: string;
}

// Plugins whose files are projected with the atomic writer, and whether they live on a tmpfs
// (as upstream wraps secret, downwardAPI and projected volumes in a memory-backed emptyDir).
const PROJECTING: ReadonlyArray<{ kind: PluginKind; on: (v: Volume) => boolean; tmpfs: boolean }> = [
  { kind: 'configMap', on: (v) => v.configMap !== undefined, tmpfs: false },
  { kind: 'secret', on: (v) => v.secret !== undefined, tmpfs: true },
  { kind: 'downwardAPI', on: (v) => v.downwardAPI !== undefined, tmpfs: true },
  { kind: 'projected', on: (v) => v.projected !== undefined, tmpfs: true },
];

export class VolumeManager {
  private readonly mounter: TmpfsMounter;
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: VolumeManagerDeps) {
    this.mounter = new TmpfsMounter({ exec: deps.exec, readMountInfo: deps.readMountInfo ?? readSelfMountInfo });
  }

  /**
   * Makes every volume of the pod ready. All volumes are attempted; when any fails the call rejects
   * with a VolumeSetUpError listing each failed volume (upstream's messages, stable codes).
   */
  setUp(pod: Pod, ctx: SetUpContext, signal?: AbortSignal): Promise<PodVolumes> {
    return this.serial(pod.metadata.uid, async () => {
      const ready = new Map<string, ReadyVolume>();
      const failures: VolumeFailure[] = [];
      const causes: unknown[] = [];
      for (const vol of pod.spec.volumes ?? []) {
        throwIfCancelled(signal);
        try {
          ready.set(vol.name, await this.setUpVolume(pod, vol, ctx, signal));
        } catch (err) {
          throwIfCancelled(signal);
          failures.push(toFailure(vol.name, err));
          causes.push(err);
        }
      }
      if (failures.length > 0) {
        throw new VolumeSetUpError(failures, { cause: causes.length === 1 ? causes[0] : new AggregateError(causes) });
      }
      return new ReadyPodVolumes(ready);
    });
  }

  /**
   * Unmounts every mount below <rootDir>/pods/<uid> (the tmpfs mounts) and removes that directory.
   * Idempotent. Rejects with FailedPrecondition, removing nothing, when a mount cannot be undone.
   */
  tearDown(uid: string, signal?: AbortSignal): Promise<void> {
    return this.serial(uid, async () => {
      const dir = podDir(this.deps.rootDir, uid);
      if (!(await exists(dir))) return;
      await this.mounter.unmountUnder(dir, signal);
      throwIfCancelled(signal);
      await rm(dir, { recursive: true, force: true });
    });
  }

  /** Pod uids that have a directory under <rootDir>/pods (for orphan cleanup). */
  async listPodDirs(): Promise<string[]> {
    try {
      const entries = await readdir(podsDir(this.deps.rootDir), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
  }

  private async setUpVolume(pod: Pod, vol: Volume, ctx: SetUpContext, signal?: AbortSignal): Promise<ReadyVolume> {
    const uid = pod.metadata.uid;
    if (vol.unsupported !== undefined) {
      throw new NodeletError(ErrorCode.InvalidArgument, `unsupported volume type ${vol.unsupported}`);
    }
    if (vol.hostPath !== undefined) {
      await checkHostPathType(vol.hostPath.path, vol.hostPath.type);
      return { hostPath: vol.hostPath.path, readOnly: false };
    }
    if (vol.emptyDir !== undefined) {
      const dir = volumeDir(this.deps.rootDir, uid, 'emptyDir', vol.name);
      if (vol.emptyDir.medium === 'Memory') {
        await this.ensureTmpfsDir(pod, dir, vol.emptyDir.sizeLimit, signal);
      } else {
        await ensureDir(dir);
      }
      return { hostPath: dir, readOnly: false };
    }
    const plugin = PROJECTING.find((p) => p.on(vol));
    if (plugin === undefined) {
      throw new NodeletError(ErrorCode.InvalidArgument, `volume has no volume source`);
    }
    const downward = { podIPs: ctx.podIPs, nodeAllocatable: this.deps.nodeAllocatable(), ...(ctx.hostIP === undefined ? {} : { hostIP: ctx.hostIP }) };
    // Contents first: a missing ConfigMap or Secret leaves nothing behind on the host.
    const payload = await volumeContents(this.deps, pod, vol, downward, signal);
    if (payload === undefined) throw new NodeletError(ErrorCode.Internal, `volume has no contents`);
    throwIfCancelled(signal);
    const dir = volumeDir(this.deps.rootDir, uid, plugin.kind, vol.name);
    if (plugin.tmpfs) {
      await this.ensureTmpfsDir(pod, dir, undefined, signal);
    } else {
      await ensureDir(dir);
    }
    if (await writeAtomically(dir, payload, this.deps.clock)) {
      this.deps.log.debug('volume contents written', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: vol.name, files: payload.size });
    }
    return { hostPath: dir, readOnly: true };
  }

  /** A directory with a tmpfs on it; mode 0777 before mounting, as upstream's emptyDir setupDir. */
  private async ensureTmpfsDir(pod: Pod, dir: string, sizeLimit: string | undefined, signal?: AbortSignal): Promise<void> {
    await ensureDir(dir);
    if (await this.mounter.isMountPoint(dir)) return;
    const size = tmpfsSizeBytes(pod, sizeLimit, this.deps.nodeAllocatable().memory);
    await this.mounter.ensureTmpfs(dir, size, signal);
  }

  private serial<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(uid) ?? Promise.resolve();
    const next = prev.then(fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(uid, tail);
    void tail.then(() => {
      if (this.queues.get(uid) === tail) this.queues.delete(uid);
    });
    return next;
  }
}

/** Creates `dir` (with parents); a new volume directory gets mode 0777 as upstream's emptyDir. */
async function ensureDir(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: 0o750 });
  // mkdir returns the first directory it made; only the volume directory itself is opened wide.
  if (created !== undefined) await chmod(dir, 0o777);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new NodeletError(ErrorCode.Cancelled, 'volume set-up cancelled', { cause: signal.reason });
}
