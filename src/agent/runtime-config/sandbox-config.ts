// A pod's CRI PodSandboxConfig as upstream kuberuntime generatePodSandboxConfig and
// generatePodSandboxLinuxConfig (kuberuntime_sandbox.go, kuberuntime_sandbox_linux.go), with
// hostname rules from kubelet_pods.go (GeneratePodHostNameAndDomain, truncatePodHostnameIfNeeded),
// ports from kubecontainer.MakePortMappings and namespaces from runtimeutil.NamespacesForPod.
import type { Container, Pod } from '../../api/pod-types.js';
import type { DNSConfig, Labels, LinuxPodSandboxConfig, NamespaceOption, PodSandboxConfig, PortMapping } from '../../cri/types.js';
import { PodLabel } from '../labels.js';

const HOSTNAME_MAX_LENGTH = 63;

export interface SandboxOptions {
  attempt: number;
  /** Root of the pod log directories (--pod-logs-dir, default /var/log/pods). */
  podLogsDir: string;
  dns: DNSConfig;
  cgroupParent?: string;
}

/** Fields of PodSpec the shared pod-types do not declare yet, read defensively. */
interface ExtraPodSpec {
  shareProcessNamespace?: unknown;
}

/** runtimeutil.NamespacesForPod: hostNetwork/hostPID/hostIPC → NODE; shared PID → POD. */
export function namespaceOptionsForPod(pod: Pod): NamespaceOption {
  const share = (pod.spec as ExtraPodSpec).shareProcessNamespace === true;
  return {
    network: pod.spec.hostNetwork === true ? 'NODE' : 'POD',
    pid: pod.spec.hostPID === true ? 'NODE' : share ? 'POD' : 'CONTAINER',
    ipc: pod.spec.hostIPC === true ? 'NODE' : 'POD',
  };
}

/** truncatePodHostnameIfNeeded: cut to 63 and drop trailing '-' and '.'. */
export function truncateHostname(hostname: string): string {
  if (hostname.length <= HOSTNAME_MAX_LENGTH) return hostname;
  return hostname.slice(0, HOSTNAME_MAX_LENGTH).replace(/[-.]+$/, '');
}

/** The pod's hostname (spec.hostname or the pod name); undefined on the host network. */
export function podHostname(pod: Pod): string | undefined {
  if (pod.spec.hostNetwork === true) return undefined;
  const name = pod.spec.hostname !== undefined && pod.spec.hostname !== '' ? pod.spec.hostname : pod.metadata.name;
  return truncateHostname(name);
}

/** BuildPodLogsDirectory: <podLogsDir>/<namespace>_<name>_<uid>. */
export function podLogsDirectory(podLogsDir: string, pod: Pod): string {
  const root = podLogsDir.endsWith('/') ? podLogsDir.slice(0, -1) : podLogsDir;
  return `${root}/${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

/** MakePortMappings for one container, keeping only ports bound on the host (hostPort > 0). */
function containerPortMappings(c: Container): PortMapping[] {
  const seen = new Set<string>();
  const out: PortMapping[] = [];
  for (const p of c.ports ?? []) {
    const protocol = p.protocol ?? 'TCP';
    const hostIp = p.hostIP ?? '';
    const family = hostIp === '' ? 'any' : hostIp.includes(':') ? 'v6' : 'v4';
    // A port name (or the port's identity) used twice in a container is skipped, as upstream.
    const name = p.name !== undefined && p.name !== '' ? p.name : `${family}-${protocol}-${hostIp}:${p.containerPort}:${p.hostPort ?? 0}`;
    if (seen.has(name)) continue;
    seen.add(name);
    if ((p.hostPort ?? 0) <= 0) continue;
    const m: PortMapping = { protocol, containerPort: p.containerPort, hostPort: p.hostPort ?? 0 };
    if (hostIp !== '') m.hostIp = hostIp;
    out.push(m);
  }
  return out;
}

/** newPodLabels: the pod's labels plus the pod identity labels (which win). */
export function sandboxLabels(pod: Pod): Labels {
  return {
    ...(pod.metadata.labels ?? {}),
    [PodLabel.name]: pod.metadata.name,
    [PodLabel.namespace]: pod.metadata.namespace,
    [PodLabel.uid]: pod.metadata.uid,
  };
}

function hasPrivilegedContainer(pod: Pod): boolean {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => c.securityContext?.privileged === true);
}

/** generatePodSandboxLinuxConfig. */
function sandboxLinuxConfig(pod: Pod, cgroupParent: string | undefined): LinuxPodSandboxConfig {
  const sc = pod.spec.securityContext ?? {};
  const sysctls: Labels = {};
  for (const s of sc.sysctls ?? []) sysctls[s.name] = s.value;
  const supplementalGroups = [...(sc.fsGroup !== undefined ? [sc.fsGroup] : []), ...(sc.supplementalGroups ?? [])];
  const lc: LinuxPodSandboxConfig = {
    securityContext: {
      namespaceOptions: namespaceOptionsForPod(pod),
      privileged: hasPrivilegedContainer(pod),
      // The sandbox runs with the runtime's default seccomp profile whatever the pod asks (#84623).
      seccomp: { profileType: 'RuntimeDefault' },
    },
    sysctls,
  };
  const lsc = lc.securityContext ?? {};
  if (sc.runAsUser !== undefined) lsc.runAsUser = { value: sc.runAsUser };
  if (sc.runAsGroup !== undefined) lsc.runAsGroup = { value: sc.runAsGroup };
  if (supplementalGroups.length > 0) lsc.supplementalGroups = supplementalGroups;
  if (cgroupParent !== undefined && cgroupParent !== '') lc.cgroupParent = cgroupParent;
  return lc;
}

export function buildSandboxConfig(pod: Pod, opts: SandboxOptions): PodSandboxConfig {
  const config: PodSandboxConfig = {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, attempt: opts.attempt },
    logDirectory: podLogsDirectory(opts.podLogsDir, pod),
    dnsConfig: opts.dns,
    labels: sandboxLabels(pod),
    annotations: { ...(pod.metadata.annotations ?? {}) },
    linux: sandboxLinuxConfig(pod, opts.cgroupParent),
  };
  const hostname = podHostname(pod);
  if (hostname !== undefined) config.hostname = hostname;
  const ports = pod.spec.containers.flatMap(containerPortMappings);
  if (ports.length > 0) config.portMappings = ports;
  return config;
}
