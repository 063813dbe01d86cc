// CRI Linux resources for a container, as upstream kuberuntime calculateLinuxResources
// (kuberuntime_container_linux.go), cm.MilliCPUToShares / milliCPUToQuota (pkg/kubelet/cm) and
// qos.GetContainerOOMScoreAdjust (pkg/kubelet/qos/policy.go).
import type { Container, Pod } from '../../api/pod-types.js';
import { cpuToMilli, memoryToBytes } from '../../api/quantity.js';
import type { LinuxContainerResources } from '../../cri/types.js';
import { SourceAnnotation } from '../labels.js';
import { effectiveRequest, qosClass } from './qos.js';

export const MIN_SHARES = 2;
export const MAX_SHARES = 262144;
export const SHARES_PER_CPU = 1024;
export const QUOTA_PERIOD = 100000;
export const MIN_QUOTA_PERIOD = 1000;
export const GUARANTEED_OOM_SCORE_ADJ = -997;
export const BESTEFFORT_OOM_SCORE_ADJ = 1000;
/** scheduling.SystemCriticalPriority: pods at or above it are critical. */
const SYSTEM_CRITICAL_PRIORITY = 2000000000;

/** cm.MilliCPUToShares: 0 → 2 (the kernel minimum), else 1024 per core clamped to [2, 262144]. */
export function milliCpuToShares(milliCpu: number): number {
  if (milliCpu === 0) return MIN_SHARES;
  const shares = Math.trunc((milliCpu * SHARES_PER_CPU) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

/** milliCPUToQuota: 0 (no limit) → 0, else the quota over the period, at least 1 ms. */
export function milliCpuToQuota(milliCpu: number, period: number): number {
  if (milliCpu === 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD, Math.trunc((milliCpu * period) / 1000));
}

/** types.IsCriticalPod && priorityClassName system-node-critical. */
export function isNodeCriticalPod(pod: Pod): boolean {
  const ann = pod.metadata.annotations ?? {};
  const source = ann[SourceAnnotation.source];
  const staticOrMirror = (source !== undefined && source !== 'api') || ann[SourceAnnotation.mirror] !== undefined;
  const critical = staticOrMirror || (pod.spec.priority ?? 0) >= SYSTEM_CRITICAL_PRIORITY;
  return critical && pod.spec.priorityClassName === 'system-node-critical';
}

/** qos.GetContainerOOMScoreAdjust (before any floor). */
export function containerOomScoreAdj(pod: Pod, container: Container, memoryCapacity: number): number {
  if (isNodeCriticalPod(pod)) return GUARANTEED_OOM_SCORE_ADJ;
  const qos = qosClass(pod);
  if (qos === 'Guaranteed') return GUARANTEED_OOM_SCORE_ADJ;
  if (qos === 'BestEffort') return BESTEFFORT_OOM_SCORE_ADJ;
  const request = memoryToBytes(effectiveRequest(container, 'memory') ?? '0');
  const adj = memoryCapacity > 0 ? 1000 - Math.trunc((1000 * request) / memoryCapacity) : 1000;
  // Burstable sits strictly between Guaranteed (-997 → 3 when using all memory) and BestEffort.
  if (adj < 1000 + GUARANTEED_OOM_SCORE_ADJ) return 1000 + GUARANTEED_OOM_SCORE_ADJ;
  if (adj === BESTEFFORT_OOM_SCORE_ADJ) return adj - 1;
  return adj;
}

export interface ResourceOptions {
  /** Node memory capacity in bytes (machine info), for the Burstable OOM score. */
  memoryCapacity: number;
  /**
   * Lowest oom_score_adj the runtime can set: without CAP_SYS_RESOURCE runc cannot go below its
   * parent's value, so the caller passes /proc/self/oom_score_adj. Default -1000 (no floor).
   */
  minOomScoreAdj?: number;
  /** cpuCFSQuota (default true): enforce CPU limits with CFS quota. */
  cpuCfsQuota?: boolean;
}

/** The container's CRI resources: shares from the request, quota from the limit, memory limit, OOM score. */
export function buildContainerResources(pod: Pod, container: Container, opts: ResourceOptions): LinuxContainerResources {
  const limits = container.resources?.limits ?? {};
  const cpuLimitMilli = cpuToMilli(limits.cpu ?? '0');
  // A request defaults to the limit (kubelet repeats the API defaulting for old objects).
  const cpuRequestMilli = cpuToMilli(effectiveRequest(container, 'cpu') ?? '0');
  const memLimit = memoryToBytes(limits.memory ?? '0');
  const out: LinuxContainerResources = { cpuShares: milliCpuToShares(cpuRequestMilli) };
  if (memLimit !== 0) out.memoryLimitInBytes = memLimit;
  if (opts.cpuCfsQuota ?? true) {
    out.cpuPeriod = QUOTA_PERIOD;
    out.cpuQuota = milliCpuToQuota(cpuLimitMilli, QUOTA_PERIOD);
  }
  const floor = opts.minOomScoreAdj ?? -1000;
  out.oomScoreAdj = Math.min(1000, Math.max(floor, containerOomScoreAdj(pod, container, opts.memoryCapacity)));
  return out;
}
