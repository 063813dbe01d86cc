// Image pulls per imagePullPolicy, with upstream's reasons: ErrImagePull on a failed pull, then
// ImagePullBackOff while the back-off (10 s doubling to 5 min) runs; ErrImageNeverPull when the
// policy forbids pulling an absent image. Concurrent pulls of one image share one CRI call.
import type { Clock } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import { defaultPullPolicy } from '../api/pod-defaults.js';
import type { Container, Pod, PullPolicy } from '../api/pod-types.js';
import type { Runtime } from '../cri/runtime.js';
import type { PodSandboxConfig } from '../cri/types.js';
import { KeyedBackoff } from './keyed-backoff.js';
import { containerFieldPath, type PodEventSink } from './pod-events.js';

export type ImageResult = { ok: true; imageRef: string } | { ok: false; reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName'; message: string };

/** The container's pull policy, or upstream's default for its image (Always for `:latest` or untagged). */
export function effectivePullPolicy(container: Container): PullPolicy {
  return container.imagePullPolicy ?? defaultPullPolicy(container.image);
}

export class ImagePuller {
  private readonly backoff: KeyedBackoff;
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly deps: { runtime: Runtime; clock: Clock; events: PodEventSink; maxBackoffMs?: number }) {
    this.backoff = new KeyedBackoff(deps.clock, 10_000, deps.maxBackoffMs ?? 300_000);
  }

  /** `beforePull` runs once a pull is certain, before it starts (a pull may take minutes). */
  async ensure(pod: Pod, container: Container, sandboxConfig: PodSandboxConfig, signal?: AbortSignal, beforePull?: () => void): Promise<ImageResult> {
    const { runtime, events, clock } = this.deps;
    const image = container.image.trim();
    const fieldPath = containerFieldPath(pod, container.name);
    if (image === '' || /\s/.test(image)) {
      const message = `Failed to apply default image tag "${container.image}": couldn't parse image name "${container.image}": invalid reference format`;
      events.event(pod, 'Warning', 'InspectFailed', message, fieldPath);
      return { ok: false, reason: 'InvalidImageName', message };
    }
    const policy = effectivePullPolicy(container);
    if (policy !== 'Always') {
      const present = await runtime.imageStatus(image, { signal });
      if (present !== null) {
        events.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`, fieldPath);
        return { ok: true, imageRef: present.id };
      }
      if (policy === 'Never') {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        events.event(pod, 'Warning', 'ErrImageNeverPull', message, fieldPath);
        return { ok: false, reason: 'ErrImageNeverPull', message };
      }
    }
    const key = `${pod.metadata.uid}/${image}`;
    if (this.backoff.inBackoffSinceUpdate(key)) {
      const message = `Back-off pulling image "${image}"`;
      events.event(pod, 'Normal', 'BackOff', message, fieldPath);
      events.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff', fieldPath);
      return { ok: false, reason: 'ImagePullBackOff', message };
    }
    beforePull?.();
    events.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`, fieldPath);
    const started = clock.now();
    try {
      const imageRef = await this.pullShared(image, sandboxConfig, signal);
      this.backoff.reset(key);
      const secs = ((clock.now() - started) / 1000).toFixed(3);
      events.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s`, fieldPath);
      return { ok: true, imageRef };
    } catch (err) {
      if (signal?.aborted) throw err;
      this.backoff.next(key, clock.now());
      const message = `Failed to pull image "${image}": ${errorMessage(err)}`;
      events.event(pod, 'Warning', 'Failed', message, fieldPath);
      events.event(pod, 'Warning', 'Failed', 'Error: ErrImagePull', fieldPath);
      return { ok: false, reason: 'ErrImagePull', message };
    }
  }

  /** Milliseconds until the pod may retry pulling `image` (0 when it may now). */
  retryInMs(pod: Pod, image: string): number {
    return this.backoff.remainingSinceUpdateMs(`${pod.metadata.uid}/${image.trim()}`);
  }

  forgetPod(uid: string): void {
    this.backoff.resetPrefix(`${uid}/`);
  }

  private pullShared(image: string, sandboxConfig: PodSandboxConfig, signal?: AbortSignal): Promise<string> {
    let pull = this.inFlight.get(image);
    if (pull === undefined) {
      // The shared pull is not tied to one pod's signal: another pod may still want it.
      pull = this.deps.runtime.pullImage(image, { sandboxConfig }).finally(() => this.inFlight.delete(image));
      this.inFlight.set(image, pull);
    }
    if (signal === undefined) return pull;
    return Promise.race([
      pull,
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
    ]);
  }
}
