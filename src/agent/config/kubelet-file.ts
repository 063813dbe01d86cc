// The KubeletConfiguration file (kubelet.config.k8s.io/v1beta1), YAML or JSON. Fields nodelet
// implements are validated into typed values; fields upstream knows but nodelet does not act on
// are reported back (so the caller can warn) rather than rejected, so that a real kubelet config
// file loads; anything else (a typo) is an error, like upstream's strict decoding.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../api/object.js';
import { parseGoDuration } from '../../base/duration.js';

export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';
export const KUBELET_CONFIG_KIND = 'KubeletConfiguration';

/** What a file may set; every field absent when the file does not say. */
export interface KubeletFileConfig {
  staticPodPath?: string;
  podLogsDir?: string;
  /** Cgroup parent of every pod (upstream cgroupRoot); empty: the runtime's default. */
  cgroupRoot?: string;
  containerRuntimeEndpoint?: string;
  fileCheckFrequencyMs?: number;
  syncFrequencyMs?: number;
  nodeStatusUpdateFrequencyMs?: number;
  nodeStatusReportFrequencyMs?: number;
  nodeLeaseDurationSeconds?: number;
  clusterDNS?: string[];
  clusterDomain?: string;
  maxPods?: number;
  nodeStatusMaxImages?: number;
  registerNode?: boolean;
  podCIDR?: string;
  maxContainerRestartPeriodMs?: number;
  /** Upstream fields present in the file that nodelet ignores. */
  ignoredFields: string[];
}

// KubeletConfiguration v1beta1 fields nodelet accepts without acting on them.
const UPSTREAM_ONLY_FIELDS = new Set([
  'enableServer', 'httpCheckFrequency', 'staticPodURL', 'staticPodURLHeader', 'address', 'port', 'readOnlyPort',
  'tlsCertFile', 'tlsPrivateKeyFile', 'tlsCipherSuites', 'tlsMinVersion', 'rotateCertificates', 'serverTLSBootstrap',
  'authentication', 'authorization', 'registryPullQPS', 'registryBurst', 'imagePullCredentialsVerificationPolicy',
  'preloadedImagesVerificationAllowlist', 'eventRecordQPS', 'eventBurst', 'enableDebuggingHandlers',
  'enableContentionProfiling', 'healthzPort', 'healthzBindAddress', 'oomScoreAdj', 'streamingConnectionIdleTimeout',
  'imageMinimumGCAge', 'imageMaximumGCAge', 'imageGCHighThresholdPercent', 'imageGCLowThresholdPercent',
  'volumeStatsAggPeriod', 'kubeletCgroups', 'systemCgroups', 'cgroupsPerQOS', 'cgroupDriver',
  'cpuManagerPolicy', 'singleProcessOOMKill', 'cpuManagerPolicyOptions', 'cpuManagerReconcilePeriod',
  'memoryManagerPolicy', 'topologyManagerPolicy', 'topologyManagerScope', 'topologyManagerPolicyOptions', 'qosReserved',
  'runtimeRequestTimeout', 'hairpinMode', 'podPidsLimit', 'resolvConf', 'runOnce', 'cpuCFSQuota', 'cpuCFSQuotaPeriod',
  'maxOpenFiles', 'contentType', 'kubeAPIQPS', 'kubeAPIBurst', 'serializeImagePulls', 'maxParallelImagePulls',
  'evictionHard', 'evictionSoft', 'evictionSoftGracePeriod', 'evictionPressureTransitionPeriod',
  'evictionMaxPodGracePeriod', 'evictionMinimumReclaim', 'mergeDefaultEvictionSettings', 'podsPerCore',
  'enableControllerAttachDetach', 'protectKernelDefaults', 'makeIPTablesUtilChains', 'iptablesMasqueradeBit',
  'iptablesDropBit', 'featureGates', 'failSwapOn', 'memorySwap', 'containerLogMaxSize', 'containerLogMaxFiles',
  'containerLogMaxWorkers', 'containerLogMonitorInterval', 'configMapAndSecretChangeDetectionStrategy',
  'systemReserved', 'kubeReserved', 'reservedSystemCPUs', 'showHiddenMetricsForVersion', 'systemReservedCgroup',
  'kubeReservedCgroup', 'enforceNodeAllocatable', 'allowedUnsafeSysctls', 'volumePluginDir', 'providerID',
  'kernelMemcgNotification', 'logging', 'enableSystemLogHandler', 'enableSystemLogQuery', 'shutdownGracePeriod',
  'shutdownGracePeriodCriticalPods', 'shutdownGracePeriodByPodPriority', 'reservedMemory', 'enableProfilingHandler',
  'enableDebugFlagsHandler', 'seccompDefault', 'memoryThrottlingFactor', 'registerWithTaints', 'tracing',
  'localStorageCapacityIsolation', 'imageServiceEndpoint', 'failCgroupV1', 'userNamespaces',
]);

const OWN_FIELDS = new Set([
  'apiVersion', 'kind', 'staticPodPath', 'podLogsDir', 'containerRuntimeEndpoint', 'fileCheckFrequency',
  'syncFrequency', 'nodeStatusUpdateFrequency', 'nodeStatusReportFrequency', 'nodeLeaseDurationSeconds', 'clusterDNS',
  'clusterDomain', 'maxPods', 'nodeStatusMaxImages', 'registerNode', 'podCIDR', 'crashLoopBackOff', 'cgroupRoot',
]);

const INT32_MAX = 2 ** 31 - 1;

/** Reads and validates the file; InvalidConfig naming the file and the field on any problem. */
export async function readKubeletConfigFile(file: string): Promise<KubeletFileConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `cannot read kubelet config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `kubelet config file ${file} is not valid YAML or JSON: ${errorMessage(err)}`, { cause: err });
  }
  return parseKubeletConfig(doc, file);
}

/** Validates a decoded KubeletConfiguration document; `file` only names it in messages. */
export function parseKubeletConfig(doc: unknown, file: string): KubeletFileConfig {
  const fail = (field: string, why: string): never => {
    throw new NodeletError(ErrorCode.InvalidConfig, `kubelet config file ${file}: ${field}: ${why}`);
  };
  if (!isJsonObject(doc)) return fail('(document)', 'must be a KubeletConfiguration object');
  if (doc.apiVersion !== KUBELET_CONFIG_API_VERSION) {
    fail('apiVersion', `must be ${JSON.stringify(KUBELET_CONFIG_API_VERSION)}, got ${JSON.stringify(doc.apiVersion ?? null)}`);
  }
  if (doc.kind !== KUBELET_CONFIG_KIND) fail('kind', `must be ${JSON.stringify(KUBELET_CONFIG_KIND)}, got ${JSON.stringify(doc.kind ?? null)}`);

  const out: KubeletFileConfig = { ignoredFields: [] };
  for (const key of Object.keys(doc)) {
    if (OWN_FIELDS.has(key)) continue;
    if (UPSTREAM_ONLY_FIELDS.has(key)) out.ignoredFields.push(key);
    else fail(key, 'unknown field');
  }

  const str = (field: string): string | undefined => {
    const v = doc[field];
    if (v === undefined || v === null) return undefined;
    return typeof v === 'string' ? v : fail(field, `must be a string, got ${JSON.stringify(v)}`);
  };
  const duration = (field: string, v: JsonValue | undefined = doc[field]): number | undefined => {
    if (v === undefined || v === null) return undefined;
    const ms = typeof v === 'string' ? parseGoDuration(v) : undefined;
    if (ms === undefined) return fail(field, `must be a duration such as "20s" or "1m30s", got ${JSON.stringify(v)}`);
    if (ms < 0) return fail(field, `must not be negative, got ${JSON.stringify(v)}`);
    return ms;
  };
  const int = (field: string, min: number): number | undefined => {
    const v = doc[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v > INT32_MAX) return fail(field, `must be an integer, got ${JSON.stringify(v)}`);
    if (v < min) return fail(field, min === 0 ? `must not be negative, got ${v}` : `must be at least ${min}, got ${v}`);
    return v;
  };

  out.staticPodPath = str('staticPodPath');
  out.podLogsDir = str('podLogsDir');
  out.cgroupRoot = str('cgroupRoot');
  out.containerRuntimeEndpoint = str('containerRuntimeEndpoint');
  out.clusterDomain = str('clusterDomain');
  out.fileCheckFrequencyMs = duration('fileCheckFrequency');
  out.syncFrequencyMs = duration('syncFrequency');
  out.nodeStatusUpdateFrequencyMs = duration('nodeStatusUpdateFrequency');
  out.nodeStatusReportFrequencyMs = duration('nodeStatusReportFrequency');
  out.nodeLeaseDurationSeconds = int('nodeLeaseDurationSeconds', 1);
  out.maxPods = int('maxPods', 0);
  // -1 means "no limit" upstream.
  out.nodeStatusMaxImages = int('nodeStatusMaxImages', -1);

  const registerNode = doc.registerNode;
  if (registerNode !== undefined && registerNode !== null) {
    out.registerNode = typeof registerNode === 'boolean' ? registerNode : fail('registerNode', `must be true or false, got ${JSON.stringify(registerNode)}`);
  }

  const dns = doc.clusterDNS;
  if (dns !== undefined && dns !== null) {
    if (!Array.isArray(dns)) fail('clusterDNS', 'must be a list of IP addresses');
    out.clusterDNS = (dns as JsonValue[]).map((ip, i) =>
      typeof ip === 'string' && isIP(ip) !== 0 ? ip : fail(`clusterDNS[${i}]`, `must be an IP address, got ${JSON.stringify(ip)}`),
    );
  }

  const cidr = str('podCIDR');
  if (cidr !== undefined && cidr !== '') {
    if (!isCIDR(cidr)) fail('podCIDR', `must be a CIDR such as 10.244.0.0/24, got ${JSON.stringify(cidr)}`);
    out.podCIDR = cidr;
  }

  const backOff = doc.crashLoopBackOff;
  if (backOff !== undefined && backOff !== null) {
    if (!isJsonObject(backOff)) return fail('crashLoopBackOff', 'must be an object');
    const obj: JsonObject = backOff;
    for (const key of Object.keys(obj)) {
      if (key !== 'maxContainerRestartPeriod') fail(`crashLoopBackOff.${key}`, 'unknown field');
    }
    const ms = duration('crashLoopBackOff.maxContainerRestartPeriod', obj.maxContainerRestartPeriod);
    // Upstream allows 1s..300s.
    if (ms !== undefined && (ms < 1000 || ms > 300_000)) {
      fail('crashLoopBackOff.maxContainerRestartPeriod', `must be between 1s and 300s, got ${JSON.stringify(obj.maxContainerRestartPeriod)}`);
    }
    out.maxContainerRestartPeriodMs = ms;
  }
  return out;
}

export function isCIDR(value: string): boolean {
  const [ip, bits, extra] = value.split('/');
  const family = isIP(ip ?? '');
  if (family === 0 || extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}
