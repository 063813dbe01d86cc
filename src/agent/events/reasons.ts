// The agent's event reasons and messages, with upstream kubelet's wording
// (pkg/kubelet/events/event.go and the places that record them), in one place so the wording
// stays consistent. Each helper returns what EventRecorder.record takes.
import type { Pod } from '../../api/pod-types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSpec {
  type: EventType;
  reason: string;
  message: string;
}

export const EventReason = {
  // Containers.
  CreatedContainer: 'Created',
  StartedContainer: 'Started',
  FailedToCreateContainer: 'Failed',
  FailedToStartContainer: 'Failed',
  KillingContainer: 'Killing',
  PreemptContainer: 'Preempting',
  BackOffStartContainer: 'BackOff',
  ExceededGracePeriod: 'ExceededGracePeriod',
  // Pods.
  FailedToKillPod: 'FailedKillPod',
  FailedToCreatePodContainer: 'FailedCreatePodContainer',
  NetworkNotReady: 'NetworkNotReady',
  DeadlineExceeded: 'DeadlineExceeded',
  // Images.
  PullingImage: 'Pulling',
  PulledImage: 'Pulled',
  FailedToPullImage: 'Failed',
  FailedToInspectImage: 'InspectFailed',
  ErrImageNeverPullPolicy: 'ErrImageNeverPull',
  BackOffPullImage: 'BackOff',
  // Volumes.
  FailedMountVolume: 'FailedMount',
  // Sandboxes.
  FailedCreatePodSandBox: 'FailedCreatePodSandBox',
  FailedStatusPodSandBox: 'FailedPodSandBoxStatus',
  SandboxChanged: 'SandboxChanged',
  // Probes and hooks.
  ContainerUnhealthy: 'Unhealthy',
  ContainerProbeWarning: 'ProbeWarning',
  FailedPostStartHook: 'FailedPostStartHook',
  FailedPreStopHook: 'FailedPreStopHook',
  // Nodes.
  NodeReady: 'NodeReady',
  NodeNotReady: 'NodeNotReady',
  StartingKubelet: 'Starting',
  RegisteredNode: 'RegisteredNode',
} as const;

/** Go's time.Duration String() for a whole number of milliseconds: "1.2s", "523ms", "1m1.5s". */
export function goDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const secMs = total % 60_000;
  const sec = `${Math.floor(secMs / 1000)}${secMs % 1000 === 0 ? '' : `.${String(secMs % 1000).padStart(3, '0').replace(/0+$/, '')}`}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** upstream's format.Pod: `name_namespace(uid)`. */
export function podDescription(pod: Pick<Pod, 'metadata'>): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}

const normal = (reason: string, message: string): EventSpec => ({ type: 'Normal', reason, message });
const warning = (reason: string, message: string): EventSpec => ({ type: 'Warning', reason, message });

export const Events = {
  pulling: (image: string) => normal(EventReason.PullingImage, `Pulling image "${image}"`),
  /** With the total including time spent waiting for other pulls and the size, as upstream 1.30+. */
  pulled: (image: string, pullMs: number, opts: { totalMs?: number; sizeBytes?: number } = {}) => {
    let message = `Successfully pulled image "${image}" in ${goDuration(pullMs)}`;
    if (opts.totalMs !== undefined) message += ` (${goDuration(opts.totalMs)} including waiting)`;
    if (opts.sizeBytes !== undefined) message += `. Image size: ${opts.sizeBytes} bytes.`;
    return normal(EventReason.PulledImage, message);
  },
  alreadyPresent: (image: string) => normal(EventReason.PulledImage, `Container image "${image}" already present on machine`),
  failedPull: (image: string, err: string) => warning(EventReason.FailedToPullImage, `Failed to pull image "${image}": ${err}`),
  /** The `Error: <reason>` event that follows a failed pull or create (ErrImagePull, CreateContainerConfigError, ...). */
  error: (reason: string) => warning(EventReason.FailedToPullImage, `Error: ${reason}`),
  backOffPull: (image: string) => normal(EventReason.BackOffPullImage, `Back-off pulling image "${image}"`),
  neverPull: (image: string) =>
    warning(EventReason.ErrImageNeverPullPolicy, `Container image "${image}" is not present with pull policy of Never`),
  inspectFailed: (image: string, err: string) => warning(EventReason.FailedToInspectImage, `Failed to inspect image "${image}": ${err}`),

  created: (container: string) => normal(EventReason.CreatedContainer, `Created container ${container}`),
  started: (container: string) => normal(EventReason.StartedContainer, `Started container ${container}`),
  failedCreate: (err: string) => warning(EventReason.FailedToCreateContainer, `Error: ${err}`),
  failedStart: (err: string) => warning(EventReason.FailedToStartContainer, `Error: ${err}`),
  /** `why` replaces the default message, e.g. 'Container web failed liveness probe, will be restarted'. */
  killing: (container: string, why?: string) => normal(EventReason.KillingContainer, why ?? `Stopping container ${container}`),
  backOffRestart: (container: string, pod: Pick<Pod, 'metadata'>) =>
    warning(EventReason.BackOffStartContainer, `Back-off restarting failed container ${container} in pod ${podDescription(pod)}`),
  exceededGracePeriod: (container: string, graceSeconds: number) =>
    warning(EventReason.ExceededGracePeriod, `Container ${container} did not stop within the grace period of ${graceSeconds}s and was killed`),

  unhealthy: (probe: 'Liveness' | 'Readiness' | 'Startup', output: string) =>
    warning(EventReason.ContainerUnhealthy, `${probe} probe failed: ${output}`),
  failedPostStartHook: (err: string) => warning(EventReason.FailedPostStartHook, err),
  failedPreStopHook: (err: string) => warning(EventReason.FailedPreStopHook, err),

  failedMount: (volume: string, err: string) => warning(EventReason.FailedMountVolume, `MountVolume.SetUp failed for volume "${volume}" : ${err}`),
  failedMountTimeout: (unmounted: readonly string[]) =>
    warning(
      EventReason.FailedMountVolume,
      `Unable to attach or mount volumes: unmounted volumes=[${unmounted.join(' ')}], unattached volumes=[]: timed out waiting for the condition`,
    ),

  failedCreatePodSandBox: (err: string) => warning(EventReason.FailedCreatePodSandBox, `Failed to create pod sandbox: ${err}`),
  sandboxChanged: () => normal(EventReason.SandboxChanged, 'Pod sandbox changed, it will be killed and re-created.'),
  failedKillPod: (err: string) => warning(EventReason.FailedToKillPod, `error killing pod: ${err}`),
  deadlineExceeded: () => normal(EventReason.DeadlineExceeded, 'Pod was active on the node longer than the specified deadline'),
} as const;
