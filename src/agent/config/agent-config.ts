// The agent's configuration: `nodelet agent` flags over an optional KubeletConfiguration file over
// upstream kubelet's defaults. Validated once at boot, then frozen.
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import { isJsonObject } from '../../api/object.js';
import { isDNS1123Subdomain } from '../../api/names.js';
import { parseCriEndpoint } from '../../cri/endpoint.js';
import { readKubeletConfigFile, type KubeletFileConfig } from './kubelet-file.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AgentConfig {
  /** The Node's name: --hostname-override or the host name, lowercased. */
  readonly nodeName: string;
  /** --node-ip; undefined: the first non-loopback IPv4 of the host. */
  readonly nodeIP: string | undefined;
  readonly rootDir: string;
  readonly podLogsDir: string;
  /** Cgroup parent for pods (KubeletConfiguration cgroupRoot); "" for the runtime's default. */
  readonly cgroupRoot: string;
  /** The kubeconfig file; undefined runs standalone (static pods only, no Node object). */
  readonly kubeconfig: string | undefined;
  readonly runtimeEndpoint: string;
  /** Directory of static pod manifests; "" for none. */
  readonly staticPodPath: string;
  readonly fileCheckFrequencyMs: number;
  readonly syncFrequencyMs: number;
  readonly nodeStatusUpdateFrequencyMs: number;
  readonly nodeStatusReportFrequencyMs: number;
  readonly nodeLeaseDurationSeconds: number;
  readonly clusterDNS: readonly string[];
  readonly clusterDomain: string;
  readonly maxPods: number;
  /** At most this many images in the Node's status; -1 for all. */
  readonly nodeStatusMaxImages: number;
  readonly registerNode: boolean;
  /** "" when unset. */
  readonly podCIDR: string;
  readonly maxContainerRestartPeriodMs: number;
  readonly logFormat: 'text' | 'json';
  readonly logLevel: LogLevel;
  /** The config file, when one was given. */
  readonly configFile: string | undefined;
  /** Upstream KubeletConfiguration fields the file set that nodelet does not act on (warn about them). */
  readonly ignoredConfigFields: readonly string[];
}

/** Upstream kubelet's defaults (KubeletConfiguration v1beta1 and flags). */
export const AGENT_DEFAULTS = Object.freeze({
  rootDir: '/var/lib/nodelet',
  podLogsDir: '/var/log/pods',
  runtimeEndpoint: 'unix:///run/containerd/containerd.sock',
  staticPodPath: '',
  fileCheckFrequencyMs: 20_000,
  syncFrequencyMs: 60_000,
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 5 * 60_000,
  nodeLeaseDurationSeconds: 40,
  clusterDomain: '',
  maxPods: 110,
  nodeStatusMaxImages: 50,
  registerNode: true,
  maxContainerRestartPeriodMs: 300_000,
  logLevel: 'info' as LogLevel,
});

export interface AgentConfigEnv {
  /** The host name (default os.hostname()). */
  hostname?: () => string;
  /** Whether stderr is a terminal, for the default log format (default process.stderr.isTTY). */
  isTTY?: boolean;
  /** Resolves relative paths (default process.cwd()). */
  cwd?: string;
}

// The flags' commander names (camelCase) and their kinds.
const STRING_FLAGS = [
  'config', 'kubeconfig', 'hostnameOverride', 'nodeIp', 'rootDir', 'containerRuntimeEndpoint',
  'podManifestPath', 'podLogsDir', 'logFormat', 'logLevel',
] as const;
type StringFlag = (typeof STRING_FLAGS)[number];
const FLAG_NAMES: Record<StringFlag | 'registerNode', string> = {
  config: '--config', kubeconfig: '--kubeconfig', hostnameOverride: '--hostname-override', nodeIp: '--node-ip',
  rootDir: '--root-dir', containerRuntimeEndpoint: '--container-runtime-endpoint', podManifestPath: '--pod-manifest-path',
  podLogsDir: '--pod-logs-dir', logFormat: '--log-format', logLevel: '--log-level', registerNode: '--register-node',
};

function invalidFlag(flag: string, why: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidConfig, `${flag}: ${why}`);
}

/** The flag values commander produced, checked for shape. */
function readFlags(opts: unknown): { strings: Partial<Record<StringFlag, string>>; registerNode: boolean | undefined } {
  if (opts !== undefined && !isJsonObject(opts)) throw invalidFlag('(flags)', 'expected an object of flag values');
  const strings: Partial<Record<StringFlag, string>> = {};
  for (const key of STRING_FLAGS) {
    const v = opts?.[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw invalidFlag(FLAG_NAMES[key], `expected a string, got ${JSON.stringify(v)}`);
    strings[key] = v;
  }
  const rn = opts?.registerNode;
  let registerNode: boolean | undefined;
  if (rn === true || rn === 'true') registerNode = true;
  else if (rn === false || rn === 'false') registerNode = false;
  else if (rn !== undefined && rn !== null) throw invalidFlag(FLAG_NAMES.registerNode, `expected true or false, got ${JSON.stringify(rn)}`);
  return { strings, registerNode };
}

/**
 * Builds the frozen config from commander's option values (`addAgentOptions`): reads the
 * --config file when given, applies defaults, lets flags override. InvalidConfig on any problem,
 * naming the flag or the file and field.
 */
export async function loadAgentConfig(opts: unknown, env: AgentConfigEnv = {}): Promise<AgentConfig> {
  const { strings: f, registerNode: registerNodeFlag } = readFlags(opts);
  const cwd = env.cwd ?? process.cwd();
  const abs = (p: string): string => path.resolve(cwd, p);
  const configFile = f.config === undefined || f.config === '' ? undefined : abs(f.config);
  const file: KubeletFileConfig = configFile === undefined ? { ignoredFields: [] } : await readKubeletConfigFile(configFile);

  const rawName = (f.hostnameOverride ?? '').trim() !== '' ? (f.hostnameOverride ?? '') : (env.hostname ?? os.hostname)();
  const nodeName = rawName.trim().toLowerCase();
  const nameProblems = isDNS1123Subdomain(nodeName);
  if (nameProblems.length > 0) {
    const source = f.hostnameOverride !== undefined && f.hostnameOverride.trim() !== '' ? FLAG_NAMES.hostnameOverride : 'host name';
    throw invalidFlag(source, `node name ${JSON.stringify(nodeName)} is not a valid DNS subdomain: ${nameProblems.join('; ')}`);
  }

  const nodeIP = f.nodeIp === undefined || f.nodeIp === '' ? undefined : f.nodeIp;
  if (nodeIP !== undefined && isIP(nodeIP) === 0) throw invalidFlag(FLAG_NAMES.nodeIp, `${JSON.stringify(nodeIP)} is not an IP address`);

  const runtimeEndpoint = f.containerRuntimeEndpoint ?? file.containerRuntimeEndpoint ?? AGENT_DEFAULTS.runtimeEndpoint;
  try {
    parseCriEndpoint(runtimeEndpoint);
  } catch (err) {
    const source = f.containerRuntimeEndpoint !== undefined ? FLAG_NAMES.containerRuntimeEndpoint : `kubelet config file ${configFile ?? ''}: containerRuntimeEndpoint`;
    throw new NodeletError(ErrorCode.InvalidConfig, `${source}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  const logFormat = f.logFormat ?? ((env.isTTY ?? process.stderr.isTTY) === true ? 'text' : 'json');
  if (logFormat !== 'text' && logFormat !== 'json') throw invalidFlag(FLAG_NAMES.logFormat, `must be text or json, got ${JSON.stringify(logFormat)}`);
  const logLevel = f.logLevel ?? AGENT_DEFAULTS.logLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw invalidFlag(FLAG_NAMES.logLevel, `must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }

  const staticPodPath = f.podManifestPath ?? file.staticPodPath ?? AGENT_DEFAULTS.staticPodPath;
  const updateMs = file.nodeStatusUpdateFrequencyMs ?? AGENT_DEFAULTS.nodeStatusUpdateFrequencyMs;
  // Upstream: an explicit update frequency with no report frequency makes them equal.
  const reportMs =
    file.nodeStatusReportFrequencyMs ??
    (file.nodeStatusUpdateFrequencyMs !== undefined ? file.nodeStatusUpdateFrequencyMs : AGENT_DEFAULTS.nodeStatusReportFrequencyMs);

  const config: AgentConfig = {
    nodeName,
    nodeIP,
    rootDir: abs(f.rootDir ?? AGENT_DEFAULTS.rootDir),
    podLogsDir: abs(f.podLogsDir ?? file.podLogsDir ?? AGENT_DEFAULTS.podLogsDir),
    cgroupRoot: file.cgroupRoot ?? '',
    kubeconfig: f.kubeconfig === undefined || f.kubeconfig === '' ? undefined : abs(f.kubeconfig),
    runtimeEndpoint,
    staticPodPath: staticPodPath === '' ? '' : abs(staticPodPath),
    fileCheckFrequencyMs: file.fileCheckFrequencyMs ?? AGENT_DEFAULTS.fileCheckFrequencyMs,
    syncFrequencyMs: file.syncFrequencyMs ?? AGENT_DEFAULTS.syncFrequencyMs,
    nodeStatusUpdateFrequencyMs: updateMs,
    nodeStatusReportFrequencyMs: reportMs,
    nodeLeaseDurationSeconds: file.nodeLeaseDurationSeconds ?? AGENT_DEFAULTS.nodeLeaseDurationSeconds,
    clusterDNS: Object.freeze([...(file.clusterDNS ?? [])]),
    clusterDomain: file.clusterDomain ?? AGENT_DEFAULTS.clusterDomain,
    maxPods: file.maxPods ?? AGENT_DEFAULTS.maxPods,
    nodeStatusMaxImages: file.nodeStatusMaxImages ?? AGENT_DEFAULTS.nodeStatusMaxImages,
    registerNode: registerNodeFlag ?? file.registerNode ?? AGENT_DEFAULTS.registerNode,
    podCIDR: file.podCIDR ?? '',
    maxContainerRestartPeriodMs: file.maxContainerRestartPeriodMs ?? AGENT_DEFAULTS.maxContainerRestartPeriodMs,
    logFormat,
    logLevel: logLevel as LogLevel,
    configFile,
    ignoredConfigFields: Object.freeze([...file.ignoredFields]),
  };
  return Object.freeze(config);
}
