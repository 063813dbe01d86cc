// Volume errors name the volume that failed and keep upstream's wording, so that a FailedMount event
// reads like kubelet's: 'MountVolume.SetUp failed for volume "x" : configmap "y" not found'.
import { ErrorCode, NodeletError, errorMessage, isNodeletError } from '../../base/errors.js';

export interface VolumeFailure {
  volume: string;
  code: ErrorCode;
  /** Upstream-style reason without the volume name, e.g. 'configmap "y" not found'. */
  detail: string;
}

/**
 * One or more volumes of a pod could not be set up. `code` is the first failure's code; `failures`
 * has one entry per failed volume (the event recorder emits one FailedMount event for each).
 */
export class VolumeSetUpError extends NodeletError {
  readonly failures: readonly VolumeFailure[];

  constructor(failures: readonly VolumeFailure[], options?: { cause?: unknown }) {
    const first = failures[0];
    super(first?.code ?? ErrorCode.Internal, failures.map((f) => `volume "${f.volume}": ${f.detail}`).join('; '), options);
    this.name = 'VolumeSetUpError';
    this.failures = failures;
  }
}

/** Upstream's FailedMount event text for one volume. */
export function failedMountMessage(volume: string, detail: string): string {
  return `MountVolume.SetUp failed for volume "${volume}" : ${detail}`;
}

/** FailedMount event texts for an error thrown by VolumeManager.setUp (one per failed volume). */
export function failedMountMessages(err: unknown): string[] {
  if (err instanceof VolumeSetUpError) return err.failures.map((f) => failedMountMessage(f.volume, f.detail));
  return [`MountVolume.SetUp failed: ${errorMessage(err)}`];
}

/** The failure record for an error raised while setting up `volume`. */
export function toFailure(volume: string, err: unknown): VolumeFailure {
  const code = isNodeletError(err) ? err.code : ErrorCode.Internal;
  return { volume, code, detail: errorMessage(err) };
}
