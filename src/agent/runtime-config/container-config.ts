// A container's CRI ContainerConfig as upstream kuberuntime generateContainerConfig and
// generateLinuxContainerConfig (kuberuntime_container.go, kuberuntime_container_linux.go), with
// labels/annotations from labels.go (newContainerLabels, newContainerAnnotations) and the security
// context from security_context.go (determineEffectiveSecurityContext).
import type { Container, Pod } from '../../api/pod-types.js';
import type { ContainerConfig, KeyValue, Labels, LinuxContainerSecurityContext, Mount } from '../../cri/types.js';
import { PodAnnotation, PodLabel } from '../labels.js';
import { expand, mappingFor } from './expand.js';
import { containerHash } from './hash.js';
import { buildContainerResources, type ResourceOptions } from './resources.js';
import { namespaceOptionsForPod } from './sandbox-config.js';

export const DEFAULT_TERMINATION_MESSAGE_PATH = '/dev/termination-log';
export const DEFAULT_TERMINATION_MESSAGE_POLICY = 'File';

/** securitycontext defaultMaskedPaths / defaultReadonlyPaths (procMount Default). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface ContainerOptions extends ResourceOptions {
  type: 'init' | 'app';
  attempt: number;
  restartCount: number;
  /** From resolveEnv; also the variables $(VAR) in command and args expand from. */
  env: KeyValue[];
  mounts: Mount[];
  /** Not used to build the config (logPath is relative to the sandbox's logDirectory); kept for callers. */
  podLogsDir?: string;
  /** The resolved image (id or digest reference) to run. */
  imageRef: string;
}

/** buildContainerLogsPath, relative to the sandbox's log directory: <name>/<restartCount>.log. */
export function containerLogPath(containerName: string, restartCount: number): string {
  return `${containerName}/${restartCount}.log`;
}

/** newContainerLabels. */
export function containerLabels(pod: Pod, container: Container): Labels {
  return {
    [PodLabel.name]: pod.metadata.name,
    [PodLabel.namespace]: pod.metadata.namespace,
    [PodLabel.uid]: pod.metadata.uid,
    [PodLabel.containerName]: container.name,
  };
}

/** newContainerAnnotations (and nodelet's container type). */
export function containerAnnotations(pod: Pod, container: Container, restartCount: number, type: 'init' | 'app'): Labels {
  const a: Labels = {
    [PodAnnotation.containerHash]: containerHash(container),
    [PodAnnotation.restartCount]: String(restartCount),
    [PodAnnotation.terminationMessagePath]: container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH,
    [PodAnnotation.terminationMessagePolicy]: container.terminationMessagePolicy ?? DEFAULT_TERMINATION_MESSAGE_POLICY,
    [PodAnnotation.containerType]: type,
  };
  if (pod.spec.terminationGracePeriodSeconds !== undefined) {
    a[PodAnnotation.podTerminationGracePeriod] = String(pod.spec.terminationGracePeriodSeconds);
  }
  if (container.ports !== undefined && container.ports.length > 0) {
    a[PodAnnotation.containerPorts] = JSON.stringify(container.ports);
  }
  return a;
}

/** ExpandContainerCommandAndArgs: $(VAR) from the container's final env (the last value wins). */
export function expandCommandAndArgs(container: Container, env: KeyValue[]): { command?: string[]; args?: string[] } {
  const vars = new Map<string, string>();
  for (const kv of env) vars.set(kv.key, kv.value);
  const mapping = mappingFor(vars);
  const out: { command?: string[]; args?: string[] } = {};
  if (container.command !== undefined && container.command.length > 0) out.command = container.command.map((c) => expand(c, mapping));
  if (container.args !== undefined && container.args.length > 0) out.args = container.args.map((a) => expand(a, mapping));
  return out;
}

/** determineEffectiveSecurityContext: container settings override the pod's. */
export function containerSecurityContext(pod: Pod, container: Container): LinuxContainerSecurityContext {
  const psc = pod.spec.securityContext ?? {};
  const csc = container.securityContext ?? {};
  const sc: LinuxContainerSecurityContext = {
    privileged: csc.privileged === true,
    readonlyRootfs: csc.readOnlyRootFilesystem === true,
    namespaceOptions: namespaceOptionsForPod(pod),
    // AddNoNewPrivileges: only an explicit allowPrivilegeEscalation=false sets no_new_privs.
    noNewPrivs: csc.allowPrivilegeEscalation === false,
    maskedPaths: [...DEFAULT_MASKED_PATHS],
    readonlyPaths: [...DEFAULT_READONLY_PATHS],
    // No seccompProfile in the pod and SeccompDefault off: upstream sends Unconfined.
    seccomp: { profileType: 'Unconfined' },
  };
  if (csc.capabilities !== undefined) {
    sc.capabilities = { addCapabilities: [...(csc.capabilities.add ?? [])], dropCapabilities: [...(csc.capabilities.drop ?? [])] };
  }
  const runAsUser = csc.runAsUser ?? psc.runAsUser;
  if (runAsUser !== undefined) sc.runAsUser = { value: runAsUser };
  const runAsGroup = csc.runAsGroup ?? psc.runAsGroup;
  if (runAsGroup !== undefined) sc.runAsGroup = { value: runAsGroup };
  const groups = [...(psc.fsGroup !== undefined ? [psc.fsGroup] : []), ...(psc.supplementalGroups ?? [])];
  if (groups.length > 0) sc.supplementalGroups = groups;
  return sc;
}

export function buildContainerConfig(pod: Pod, container: Container, opts: ContainerOptions): ContainerConfig {
  const config: ContainerConfig = {
    metadata: { name: container.name, attempt: opts.attempt },
    image: { image: opts.imageRef, userSpecifiedImage: container.image },
    ...expandCommandAndArgs(container, opts.env),
    envs: opts.env,
    mounts: opts.mounts,
    labels: containerLabels(pod, container),
    annotations: containerAnnotations(pod, container, opts.restartCount, opts.type),
    logPath: containerLogPath(container.name, opts.restartCount),
    stdin: container.stdin === true,
    tty: container.tty === true,
    linux: {
      resources: buildContainerResources(pod, container, opts),
      securityContext: containerSecurityContext(pod, container),
    },
  };
  if (container.workingDir !== undefined && container.workingDir !== '') config.workingDir = container.workingDir;
  return config;
}
