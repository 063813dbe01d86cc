// Configuration of `nodelet apiserver`: flag values arrive as strings, are validated together
// (every problem reported at once, each naming its flag), then frozen.
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NodeletError, ErrorCode, errorMessage } from '../base/errors.js';
import { parseGoDuration } from '../base/duration.js';
import { intToIpv4, ipv4ToInt } from '../base/ipv4.js';
import { selectControllers, type ControllerName } from './controllers/names.js';
import { cidrSets } from './controllers/nodeipam/cidr-set.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ApiserverConfig {
  readonly dataDir: string;
  readonly bindAddress: string;
  readonly securePort: number;
  readonly advertiseAddress: string;
  /** Normalized to the network address, e.g. "10.96.0.0/12". */
  readonly serviceClusterIPRange: string;
  /** The first address of the range: the `kubernetes` Service's ClusterIP, in the serving cert. */
  readonly firstServiceIP: string;
  /** "low-high", inclusive. */
  readonly serviceNodePortRange: string;
  /** Empty: the embedded SQLite store in the data dir. */
  readonly etcdServers: readonly string[];
  readonly etcdPrefix: string;
  /** TLS to etcd: the CA of its serving cert, and a client cert and key when it wants one. */
  readonly etcdCAFile: string | undefined;
  readonly etcdCertFile: string | undefined;
  readonly etcdKeyFile: string | undefined;
  readonly tokenAuthFile: string | undefined;
  readonly tlsCertFile: string | undefined;
  readonly tlsPrivateKeyFile: string | undefined;
  readonly clientCAFile: string | undefined;
  readonly writeKubeconfig: string | undefined;
  readonly logFormat: 'text' | 'json';
  readonly logLevel: LogLevel;
  /** The in-process controllers to run (--controllers). */
  readonly controllers: readonly ControllerName[];
  /** --cluster-cidr: pod network, split into per-node pod CIDRs by node IPAM. */
  readonly clusterCIDR: string;
  readonly nodeCIDRMaskSize: number;
  readonly nodeMonitorGracePeriodMs: number;
  readonly podEvictionTimeoutSeconds: number;
}

/** Flag values as given on the command line (commander's camelCase names); undefined when absent. */
export interface ApiserverFlags {
  dataDir?: string | undefined;
  bindAddress?: string | undefined;
  securePort?: string | undefined;
  advertiseAddress?: string | undefined;
  serviceClusterIpRange?: string | undefined;
  serviceNodePortRange?: string | undefined;
  etcdServers?: string | undefined;
  etcdPrefix?: string | undefined;
  etcdCafile?: string | undefined;
  etcdCertfile?: string | undefined;
  etcdKeyfile?: string | undefined;
  tokenAuthFile?: string | undefined;
  tlsCertFile?: string | undefined;
  tlsPrivateKeyFile?: string | undefined;
  clientCaFile?: string | undefined;
  writeKubeconfig?: string | undefined;
  logFormat?: string | undefined;
  logLevel?: string | undefined;
  controllers?: string | undefined;
  clusterCidr?: string | undefined;
  nodeCidrMaskSize?: string | undefined;
  nodeMonitorGracePeriod?: string | undefined;
  podEvictionTimeout?: string | undefined;
}

export const DEFAULTS = {
  dataDir: '/var/lib/nodelet/apiserver',
  bindAddress: '0.0.0.0',
  securePort: '6443',
  serviceClusterIpRange: '10.96.0.0/12',
  serviceNodePortRange: '30000-32767',
  etcdPrefix: '/registry',
  logLevel: 'info',
  controllers: '*',
  clusterCidr: '10.244.0.0/16',
  nodeCidrMaskSize: '24',
  nodeMonitorGracePeriod: '50s',
  podEvictionTimeout: '5m',
} as const;

export interface ConfigEnv {
  /** The host's interfaces, for the default advertise address (os.networkInterfaces() shape). */
  networkInterfaces?: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  /** Resolves relative paths (default process.cwd()). */
  cwd?: string;
}

/** Validates the flags into a frozen config; throws InvalidConfig listing every bad flag. */
export function buildConfig(flags: ApiserverFlags, env: ConfigEnv = {}): Readonly<ApiserverConfig> {
  const problems: string[] = [];
  const bad = (flag: string, value: string, why: string): void => {
    problems.push(`--${flag}=${JSON.stringify(value)}: ${why}`);
  };
  const cwd = env.cwd ?? process.cwd();
  const file = (flag: string, value: string | undefined): string | undefined => {
    if (value === undefined) return undefined;
    if (value.trim() === '') {
      bad(flag, value, 'must not be empty');
      return undefined;
    }
    return path.resolve(cwd, value);
  };

  const dataDir = file('data-dir', flags.dataDir ?? DEFAULTS.dataDir) ?? '';

  const bindAddress = flags.bindAddress ?? DEFAULTS.bindAddress;
  if (isIP(bindAddress) === 0) bad('bind-address', bindAddress, 'must be an IP address, e.g. 0.0.0.0 or 127.0.0.1');

  const securePortText = flags.securePort ?? DEFAULTS.securePort;
  const securePort = parsePort(securePortText);
  if (securePort === undefined) bad('secure-port', securePortText, 'must be a port number from 1 to 65535');

  const advertiseAddress = flags.advertiseAddress ?? defaultAdvertiseAddress(env.networkInterfaces ?? os.networkInterfaces);
  if (isIP(advertiseAddress) === 0 || isUnspecified(advertiseAddress)) {
    bad('advertise-address', advertiseAddress, 'must be an IP address that clients can reach (not 0.0.0.0 or ::)');
  }

  const rangeText = flags.serviceClusterIpRange ?? DEFAULTS.serviceClusterIpRange;
  const range = parseServiceCidr(rangeText);
  if (typeof range === 'string') bad('service-cluster-ip-range', rangeText, range);

  const nodePortText = flags.serviceNodePortRange ?? DEFAULTS.serviceNodePortRange;
  const nodePorts = parsePortRange(nodePortText);
  if (nodePorts === undefined) bad('service-node-port-range', nodePortText, 'must be "LOW-HIGH" with 1 <= LOW <= HIGH <= 65535, e.g. 30000-32767');

  const etcdServers = (flags.etcdServers ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const server of etcdServers) {
    if (!isEndpointUrl(server)) bad('etcd-servers', server, 'each server must be a URL like http://127.0.0.1:2379 or https://host:2379');
  }
  const etcdPrefix = flags.etcdPrefix ?? DEFAULTS.etcdPrefix;
  if (!etcdPrefix.startsWith('/')) bad('etcd-prefix', etcdPrefix, 'must start with "/"');
  const etcdCAFile = file('etcd-cafile', flags.etcdCafile);
  const etcdCertFile = file('etcd-certfile', flags.etcdCertfile);
  const etcdKeyFile = file('etcd-keyfile', flags.etcdKeyfile);
  if ((flags.etcdCertfile === undefined) !== (flags.etcdKeyfile === undefined)) {
    problems.push('--etcd-certfile and --etcd-keyfile must be given together');
  }
  if (etcdServers.length === 0 && [flags.etcdCafile, flags.etcdCertfile, flags.etcdKeyfile].some((f) => f !== undefined)) {
    problems.push('--etcd-cafile, --etcd-certfile and --etcd-keyfile need --etcd-servers');
  }

  const tlsCertFile = file('tls-cert-file', flags.tlsCertFile);
  const tlsPrivateKeyFile = file('tls-private-key-file', flags.tlsPrivateKeyFile);
  if ((flags.tlsCertFile === undefined) !== (flags.tlsPrivateKeyFile === undefined)) {
    problems.push('--tls-cert-file and --tls-private-key-file must be given together');
  }

  const logFormat = flags.logFormat ?? (process.stderr.isTTY ? 'text' : 'json');
  if (logFormat !== 'text' && logFormat !== 'json') bad('log-format', logFormat, 'must be "text" or "json"');
  const logLevel = flags.logLevel ?? DEFAULTS.logLevel;
  if (!isLogLevel(logLevel)) bad('log-level', logLevel, `must be one of ${LOG_LEVELS.join(', ')}`);

  let controllers: ControllerName[] = [];
  try {
    controllers = selectControllers(flags.controllers ?? DEFAULTS.controllers);
  } catch (err) {
    problems.push(errorMessage(err));
  }
  const clusterCIDR = flags.clusterCidr ?? DEFAULTS.clusterCidr;
  const maskText = flags.nodeCidrMaskSize ?? DEFAULTS.nodeCidrMaskSize;
  const nodeCIDRMaskSize = Number(maskText);
  if (!Number.isInteger(nodeCIDRMaskSize)) bad('node-cidr-mask-size', maskText, 'must be a prefix length, e.g. 24');
  else {
    // The node IPAM controller's own check, so a value it would refuse fails here, with the other flags.
    try {
      cidrSets({ clusterCIDR, nodeCIDRMaskSize });
    } catch (err) {
      problems.push(`--cluster-cidr=${JSON.stringify(clusterCIDR)} --node-cidr-mask-size=${JSON.stringify(maskText)}: ${errorMessage(err)}`);
    }
  }
  const graceText = flags.nodeMonitorGracePeriod ?? DEFAULTS.nodeMonitorGracePeriod;
  const nodeMonitorGracePeriodMs = parseGoDuration(graceText);
  if (nodeMonitorGracePeriodMs === undefined || nodeMonitorGracePeriodMs < 1000) bad('node-monitor-grace-period', graceText, 'must be a duration of at least 1s, e.g. 50s');
  const evictionText = flags.podEvictionTimeout ?? DEFAULTS.podEvictionTimeout;
  const podEvictionMs = parseGoDuration(evictionText);
  if (podEvictionMs === undefined || podEvictionMs < 0) bad('pod-eviction-timeout', evictionText, 'must be a duration, e.g. 5m');

  const config: ApiserverConfig = {
    dataDir,
    bindAddress,
    securePort: securePort ?? 0,
    advertiseAddress,
    serviceClusterIPRange: typeof range === 'string' ? '' : range.cidr,
    firstServiceIP: typeof range === 'string' ? '' : range.firstIP,
    serviceNodePortRange: nodePorts === undefined ? '' : `${nodePorts.low}-${nodePorts.high}`,
    etcdServers: Object.freeze(etcdServers),
    etcdPrefix,
    etcdCAFile,
    etcdCertFile,
    etcdKeyFile,
    tokenAuthFile: file('token-auth-file', flags.tokenAuthFile),
    tlsCertFile,
    tlsPrivateKeyFile,
    clientCAFile: file('client-ca-file', flags.clientCaFile),
    writeKubeconfig: file('write-kubeconfig', flags.writeKubeconfig),
    logFormat: logFormat === 'text' ? 'text' : 'json',
    logLevel: isLogLevel(logLevel) ? logLevel : 'info',
    controllers: Object.freeze(controllers),
    clusterCIDR,
    nodeCIDRMaskSize,
    nodeMonitorGracePeriodMs: nodeMonitorGracePeriodMs ?? 50_000,
    podEvictionTimeoutSeconds: Math.round((podEvictionMs ?? 300_000) / 1000),
  };
  if (problems.length > 0) {
    throw new NodeletError(ErrorCode.InvalidConfig, `invalid flags:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(config);
}

function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

function parsePort(s: string): number | undefined {
  if (!/^\d{1,5}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function parsePortRange(s: string): { low: number; high: number } | undefined {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(s.trim());
  if (m === null) return undefined;
  const low = parsePort(m[1] ?? '');
  const high = parsePort(m[2] ?? '');
  if (low === undefined || high === undefined || low > high) return undefined;
  return { low, high };
}

function isUnspecified(ip: string): boolean {
  return ip === '0.0.0.0' || /^[:0]+$/.test(ip);
}

function isEndpointUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.pathname === '/' && u.search === '';
  } catch {
    return false;
  }
}

/** First non-internal IPv4 address of the host, else 127.0.0.1 (as upstream picks the default route's). */
export function defaultAdvertiseAddress(interfaces: () => NodeJS.Dict<os.NetworkInterfaceInfo[]>): string {
  for (const list of Object.values(interfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal && !info.address.startsWith('169.254.')) return info.address;
    }
  }
  return '127.0.0.1';
}

/**
 * An IPv4 service CIDR, normalized to its network address, with the first usable address (the
 * `kubernetes` Service's). A message saying what is wrong otherwise.
 */
export function parseServiceCidr(s: string): { cidr: string; firstIP: string } | string {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s.trim());
  if (m === null || isIP(m[1] ?? '') !== 4) {
    return s.includes(':') ? 'only an IPv4 range is supported' : 'must be an IPv4 CIDR such as 10.96.0.0/12';
  }
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) return 'the prefix length must be from 8 to 30 (a /30 holds 2 service IPs)';
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const network = ((ipv4ToInt(m[1] ?? '') ?? 0) & mask) >>> 0;
  return { cidr: `${intToIpv4(network)}/${prefix}`, firstIP: intToIpv4(network + 1) };
}

