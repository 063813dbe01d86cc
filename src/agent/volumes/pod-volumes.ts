// The CRI mounts of one container, from its volumeMounts and the pod's ready volumes (upstream
// kubelet's makeMounts): subPath resolved inside the volume (created when missing, with the volume
// root's mode), readOnly (forced for configMap/secret/downwardAPI/projected), propagation mapped.
// Synchronous file-system calls: it runs once per container start on a handful of paths.
import { chmodSync, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';
import type { Container, VolumeMount } from '../../api/pod-types.js';
import type { Mount, MountPropagation } from '../../cri/types.js';
import { checkSubPath } from './paths.js';

export interface PodVolumes {
  /**
   * CRI mounts for one container per its volumeMounts (subPath resolved, readOnly, propagation).
   * Throws InvalidArgument naming the mount when a volumeMount names a missing volume.
   */
  mountsFor(container: Container): Mount[];
}

export interface ReadyVolume {
  /** The directory (or hostPath file) on the host. */
  hostPath: string;
  /** The plugin makes every mount of it read-only (configMap, secret, downwardAPI, projected). */
  readOnly: boolean;
}

const PROPAGATION: Record<NonNullable<VolumeMount['mountPropagation']>, MountPropagation> = {
  None: 'PROPAGATION_PRIVATE',
  HostToContainer: 'PROPAGATION_HOST_TO_CONTAINER',
  Bidirectional: 'PROPAGATION_BIDIRECTIONAL',
};

export class ReadyPodVolumes implements PodVolumes {
  constructor(private readonly volumes: ReadonlyMap<string, ReadyVolume>) {}

  mountsFor(container: Container): Mount[] {
    return (container.volumeMounts ?? []).map((vm) => this.mountFor(container, vm));
  }

  private mountFor(container: Container, vm: VolumeMount): Mount {
    const vol = this.volumes.get(vm.name);
    if (vol === undefined) {
      throw new NodeletError(ErrorCode.InvalidArgument, `cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    }
    const propagation = PROPAGATION[vm.mountPropagation ?? 'None'];
    if (propagation === 'PROPAGATION_BIDIRECTIONAL' && container.securityContext?.privileged !== true) {
      throw new NodeletError(
        ErrorCode.InvalidArgument,
        `volumeMount "${vm.name}" of container "${container.name}": Bidirectional mount propagation is available only to privileged containers`,
      );
    }
    const hostPath = vm.subPath === undefined || vm.subPath === '' ? vol.hostPath : resolveSubPath(vol.hostPath, vm, container);
    return { containerPath: vm.mountPath, hostPath, readonly: vm.readOnly === true || vol.readOnly, propagation };
  }
}

/** The subPath's real path inside the volume, creating missing directories as upstream does. */
function resolveSubPath(volumePath: string, vm: VolumeMount, container: Container): string {
  const subPath = vm.subPath ?? '';
  try {
    checkSubPath(subPath);
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidArgument, `volumeMount "${vm.name}" of container "${container.name}": ${errorMessage(err)}`);
  }
  const root = realpathSync(volumePath);
  const inside = (p: string): boolean => p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
  const escaped = (): NodeletError =>
    new NodeletError(ErrorCode.FailedPrecondition, `subpath "${subPath}" of volumeMount "${vm.name}" is not within volume path "${volumePath}"`);

  let cur = volumePath;
  const mode = statSync(volumePath).mode & 0o7777;
  for (const part of subPath.split('/').filter((s) => s !== '' && s !== '.')) {
    cur = path.join(cur, part);
    if (existsSync(cur)) continue;
    // The parent is checked before each mkdir: a symlink must not make us create outside the volume.
    if (!inside(realpathSync(path.dirname(cur)))) throw escaped();
    try {
      mkdirSync(cur, { mode });
      chmodSync(cur, mode); // the umask may have narrowed it
    } catch (err) {
      throw new NodeletError(
        ErrorCode.FailedPrecondition,
        `failed to create subPath directory for volumeMount "${vm.name}" of container "${container.name}": ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
  const real = realpathSync(cur);
  if (!inside(real)) throw escaped();
  return real;
}
