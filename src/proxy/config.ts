// `nodelet proxy`'s configuration: flags over a KubeProxyConfiguration file
// (kubeproxy.config.k8s.io/v1alpha1, YAML or JSON) over upstream kube-proxy's defaults. Validated
// once at boot, then frozen. Fields upstream knows but nodelet does not act on are reported back
// (to warn about), including the conntrack sysctls: nodelet changes no host-wide kernel setting.
// Anything else is InvalidConfig, like upstream's strict decoding.
import { parseGoDuration } from '../base/duration.js';
import { readFile } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import os from 'node:os';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, NodeletError, errorMessage } from '../base/errors.js';
import { isJsonObject, type JsonObject } from '../api/object.js';
import { splitHostPort } from './healthz.js';

export const PROXY_CONFIG_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const PROXY_CONFIG_KIND = 'KubeProxyConfiguration';
export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type ProxyLogLevel = (typeof LOG_LEVELS)[number];
export type ProxyMode = 'iptables' | 'nftables';

export interface ProxyConfig {
  readonly mode: ProxyMode;
  readonly kubeconfig: string | undefined;
  readonly configFile: string | undefined;
  /** The Node's name: hostnameOverride or the host name, lowercased. */
  readonly nodeName: string;
  /** The IPv4 cluster CIDR; "" when unset. */
  readonly clusterCIDR: string;
  readonly bindAddress: string;
  /** host:port; "" disables the server. */
  readonly healthzBindAddress: string;
  readonly metricsBindAddress: string;
  readonly minSyncPeriodMs: number;
  readonly syncPeriodMs: number;
  readonly cleanup: boolean;
  readonly logFormat: 'text' | 'json' | undefined;
  readonly logLevel: ProxyLogLevel;
  /** Fields the file set that nodelet accepts without acting on (warn about them). */
  readonly notApplied: readonly string[];
}

export const PROXY_DEFAULTS = Object.freeze({
  mode: 'iptables' as ProxyMode,
  bindAddress: '0.0.0.0',
  healthzBindAddress: '0.0.0.0:10256',
  metricsBindAddress: '127.0.0.1:10249',
  minSyncPeriodMs: 1000,
  syncPeriodMs: 30_000,
  logLevel: 'info' as ProxyLogLevel,
});

/** What a file may set; absent when the file does not say. */
export interface ProxyFileConfig {
  mode?: ProxyMode;
  clusterCIDR?: string;
  bindAddress?: string;
  healthzBindAddress?: string;
  metricsBindAddress?: string;
  hostnameOverride?: string;
  kubeconfig?: string;
  iptables: { minSyncPeriodMs?: number; syncPeriodMs?: number };
  nftables: { minSyncPeriodMs?: number; syncPeriodMs?: number };
  notApplied: string[];
}

const TOP_FIELDS = new Set(['apiVersion', 'kind', 'mode', 'clusterCIDR', 'bindAddress', 'healthzBindAddress', 'metricsBindAddress', 'hostnameOverride', 'clientConnection', 'iptables', 'nftables', 'conntrack']);
const UPSTREAM_ONLY = new Set([
  'featureGates', 'bindAddressHardFail', 'enableProfiling', 'showHiddenMetricsForVersion', 'ipvs', 'winkernel', 'detectLocalMode',
  'detectLocal', 'nodePortAddresses', 'oomScoreAdj', 'configSyncPeriod', 'portRange', 'logging', 'windowsRunAsService',
]);
const SYNC_FIELDS: Readonly<Record<'iptables' | 'nftables', readonly string[]>> = {
  iptables: ['masqueradeAll', 'masqueradeBit', 'localhostNodePorts', 'syncPeriod', 'minSyncPeriod'],
  nftables: ['masqueradeAll', 'masqueradeBit', 'syncPeriod', 'minSyncPeriod'],
};
const CONNTRACK_FIELDS = ['maxPerCore', 'min', 'tcpEstablishedTimeout', 'tcpCloseWaitTimeout', 'tcpBeLiberal', 'udpTimeout', 'udpStreamTimeout'];
const CLIENT_FIELDS = ['kubeconfig', 'acceptContentTypes', 'contentType', 'qps', 'burst'];

/** Milliseconds of an unsigned Go duration ("1s", "1m30s", "500ms"), or undefined. */
export function parseDuration(text: string): number | undefined {
  return /^[+-]/.test(text) ? undefined : parseGoDuration(text);
}

function invalid(where: string, msg: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidConfig, `${where}: ${msg}`);
}

function checkKeys(o: JsonObject, allowed: readonly string[] | Set<string>, where: string, prefix: string): void {
  const set = allowed instanceof Set ? allowed : new Set(allowed);
  for (const k of Object.keys(o)) {
    if (!set.has(k) && !(prefix === '' && UPSTREAM_ONLY.has(k))) throw invalid(where, `unknown field "${prefix}${k}"`);
  }
}

function str(o: JsonObject, key: string, where: string, prefix = ''): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalid(where, `${prefix}${key} must be a string`);
  return v;
}

function section(o: JsonObject, key: string, where: string): JsonObject | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isJsonObject(v)) throw invalid(where, `${key} must be a mapping`);
  return v;
}

function durationField(o: JsonObject, key: string, where: string, prefix: string): number | undefined {
  const text = str(o, key, where, prefix);
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) throw invalid(where, `${prefix}${key} "${text}" is not a duration (for example 1s, 30s, 1m)`);
  return ms;
}

/** Validates a parsed KubeProxyConfiguration document. Pure. */
export function parseProxyConfigFile(doc: unknown, file: string): ProxyFileConfig {
  const where = `kube-proxy config file ${file}`;
  if (!isJsonObject(doc)) throw invalid(where, `expected a mapping with apiVersion ${PROXY_CONFIG_API_VERSION} and kind ${PROXY_CONFIG_KIND}`);
  if (doc.apiVersion !== PROXY_CONFIG_API_VERSION || doc.kind !== PROXY_CONFIG_KIND) {
    throw invalid(where, `apiVersion must be ${PROXY_CONFIG_API_VERSION} and kind ${PROXY_CONFIG_KIND}`);
  }
  checkKeys(doc, TOP_FIELDS, where, '');
  const out: ProxyFileConfig = { iptables: {}, nftables: {}, notApplied: Object.keys(doc).filter((k) => UPSTREAM_ONLY.has(k)) };
  const mode = str(doc, 'mode', where);
  if (mode !== undefined && mode !== '') out.mode = checkMode(mode, where);
  for (const key of ['clusterCIDR', 'bindAddress', 'healthzBindAddress', 'metricsBindAddress', 'hostnameOverride'] as const) {
    const v = str(doc, key, where);
    if (v !== undefined) out[key] = v;
  }
  const client = section(doc, 'clientConnection', where);
  if (client !== undefined) {
    checkKeys(client, CLIENT_FIELDS, where, 'clientConnection.');
    const kubeconfig = str(client, 'kubeconfig', where, 'clientConnection.');
    if (kubeconfig !== undefined && kubeconfig !== '') out.kubeconfig = kubeconfig;
    for (const k of Object.keys(client)) if (k !== 'kubeconfig') out.notApplied.push(`clientConnection.${k}`);
  }
  for (const mode of ['iptables', 'nftables'] as const) {
    const s = section(doc, mode, where);
    if (s === undefined) continue;
    checkKeys(s, SYNC_FIELDS[mode], where, `${mode}.`);
    const min = durationField(s, 'minSyncPeriod', where, `${mode}.`);
    const sync = durationField(s, 'syncPeriod', where, `${mode}.`);
    if (min !== undefined) out[mode].minSyncPeriodMs = min;
    if (sync !== undefined) out[mode].syncPeriodMs = sync;
    for (const k of Object.keys(s)) if (k !== 'minSyncPeriod' && k !== 'syncPeriod') out.notApplied.push(`${mode}.${k}`);
  }
  const conntrack = section(doc, 'conntrack', where);
  if (conntrack !== undefined) {
    checkKeys(conntrack, CONNTRACK_FIELDS, where, 'conntrack.');
    for (const k of Object.keys(conntrack)) if (conntrack[k] !== null) out.notApplied.push(`conntrack.${k}`);
  }
  return out;
}

function checkMode(mode: string, where: string): ProxyMode {
  if (mode === 'iptables' || mode === 'nftables') return mode;
  throw invalid(where, `proxy mode "${mode}" is not supported; use iptables or nftables`);
}

export async function readProxyConfigFile(file: string): Promise<ProxyFileConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `cannot read kube-proxy config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `kube-proxy config file ${file}: not valid YAML or JSON: ${errorMessage(err)}`, { cause: err });
  }
  return parseProxyConfigFile(doc, file);
}

/** host:port as given, or an IP alone with the default port added (as upstream's flags allow). */
function bindAddressWithPort(value: string, defaultPort: number, what: string): string {
  if (value === '') return '';
  if (isIPv4(value)) return `${value}:${defaultPort}`;
  splitHostPort(value, what);
  return value;
}

export interface ProxyConfigEnv {
  hostname?: string;
}

/** Flags (commander's opts()) over the file over defaults; InvalidConfig on any problem. */
export async function loadProxyConfig(opts: unknown, env: ProxyConfigEnv = {}): Promise<ProxyConfig> {
  if (!isJsonObject(opts)) throw invalid('flags', 'expected parsed options');
  const flag = (name: string): string | undefined => {
    const v = opts[name];
    return typeof v === 'string' ? v : undefined;
  };
  const configFile = flag('config');
  const file: ProxyFileConfig = configFile === undefined ? { iptables: {}, nftables: {}, notApplied: [] } : await readProxyConfigFile(configFile);
  const modeFlag = flag('proxyMode');
  const mode = modeFlag !== undefined && modeFlag !== '' ? checkMode(modeFlag, 'flag --proxy-mode') : (file.mode ?? PROXY_DEFAULTS.mode);
  const durationFlag = (name: string, shown: string): number | undefined => {
    const v = flag(name);
    if (v === undefined) return undefined;
    const ms = parseDuration(v);
    if (ms === undefined) throw invalid(`flag ${shown}`, `"${v}" is not a duration (for example 1s, 30s)`);
    return ms;
  };
  const minSyncPeriodMs = durationFlag(`${mode}MinSyncPeriod`, `--${mode}-min-sync-period`) ?? file[mode].minSyncPeriodMs ?? PROXY_DEFAULTS.minSyncPeriodMs;
  const syncPeriodMs = durationFlag(`${mode}SyncPeriod`, `--${mode}-sync-period`) ?? file[mode].syncPeriodMs ?? PROXY_DEFAULTS.syncPeriodMs;
  if (syncPeriodMs <= 0) throw invalid(`${mode}.syncPeriod`, 'must be greater than 0');
  if (minSyncPeriodMs < 0) throw invalid(`${mode}.minSyncPeriod`, 'must be greater than or equal to 0');
  if (minSyncPeriodMs > syncPeriodMs) throw invalid(`${mode}.syncPeriod`, `must be greater than or equal to ${mode}.minSyncPeriod`);

  // Upstream takes "v4cidr[,v6cidr]"; this proxy programs IPv4, so it keeps the IPv4 entry.
  const clusterCIDRs = (flag('clusterCidr') ?? file.clusterCIDR ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const cidr of clusterCIDRs) {
    const [ip = '', bits = ''] = cidr.split('/');
    const ok = (isIPv4(ip) && /^\d+$/.test(bits) && Number(bits) <= 32) || (isIPv6(ip) && /^\d+$/.test(bits) && Number(bits) <= 128);
    if (!ok) throw invalid('clusterCIDR', `"${cidr}" is not a CIDR (for example 10.244.0.0/16)`);
  }
  const clusterCIDR = clusterCIDRs.find((c) => isIPv4(c.split('/')[0] ?? '')) ?? '';
  const bindAddress = flag('bindAddress') ?? file.bindAddress ?? PROXY_DEFAULTS.bindAddress;
  if (!isIPv4(bindAddress) && bindAddress !== '::') throw invalid('bindAddress', `"${bindAddress}" is not an IP address`);
  const healthzBindAddress = bindAddressWithPort(flag('healthzBindAddress') ?? file.healthzBindAddress ?? PROXY_DEFAULTS.healthzBindAddress, 10256, 'healthzBindAddress');
  const metricsBindAddress = bindAddressWithPort(flag('metricsBindAddress') ?? file.metricsBindAddress ?? PROXY_DEFAULTS.metricsBindAddress, 10249, 'metricsBindAddress');
  const hostnameOverride = (flag('hostnameOverride') ?? file.hostnameOverride ?? '').trim();
  const nodeName = (hostnameOverride !== '' ? hostnameOverride : (env.hostname ?? os.hostname())).toLowerCase();
  if (nodeName === '') throw invalid('hostnameOverride', 'the node name is empty');
  const logFormat = flag('logFormat');
  if (logFormat !== undefined && logFormat !== 'text' && logFormat !== 'json') throw invalid('flag --log-format', `"${logFormat}" must be text or json`);
  const logLevelText = flag('logLevel') ?? PROXY_DEFAULTS.logLevel;
  const logLevel = LOG_LEVELS.find((l) => l === logLevelText);
  if (logLevel === undefined) throw invalid('flag --log-level', `"${logLevelText}" must be one of ${LOG_LEVELS.join(', ')}`);

  return Object.freeze({
    mode,
    kubeconfig: flag('kubeconfig') ?? file.kubeconfig,
    configFile,
    nodeName,
    clusterCIDR,
    bindAddress,
    healthzBindAddress,
    metricsBindAddress,
    minSyncPeriodMs,
    syncPeriodMs,
    cleanup: opts.cleanup === true,
    logFormat,
    logLevel,
    notApplied: Object.freeze([...file.notApplied]),
  });
}
