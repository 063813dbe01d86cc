// Facts about the host that the Node object reports: CPU and memory (systeminformation), machine
// and boot ids, OS and kernel, the capacity of the filesystem holding the root dir, and the node's
// address. Behind HostInfoSource so that node status logic is testable with a fake; the probes
// themselves are injectable so readHostInfo is too.
import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import si from 'systeminformation';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';

export interface HostInfo {
  readonly cpuCount: number;
  readonly memoryBytes: number;
  readonly machineID: string;
  /** DMI product_uuid, or the machine id when the DMI file is missing or unreadable. */
  readonly systemUUID: string;
  readonly bootID: string;
  readonly kernelVersion: string;
  /** /etc/os-release PRETTY_NAME, e.g. "Debian GNU/Linux 12 (bookworm)". */
  readonly osImage: string;
  /** GOOS spelling: "linux". */
  readonly operatingSystem: string;
  /** GOARCH spelling: "amd64", "arm64", ... */
  readonly architecture: string;
  /** Size of the filesystem holding the root dir. */
  readonly ephemeralStorageBytes: number;
  /** The --node-ip, else the first non-loopback IPv4 of the host's interfaces; undefined if none. */
  readonly internalIP: string | undefined;
}

/** Where the node manager gets host facts. `read` may be called every status update. */
export interface HostInfoSource {
  read(signal?: AbortSignal): Promise<HostInfo>;
}

/** The raw probes; defaults read the real host. */
export interface HostProbes {
  readFile(file: string): Promise<string>;
  statfs(dir: string): Promise<{ blocks: number; bsize: number }>;
  networkInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  system(): Promise<{ cpuCount: number; memoryBytes: number; kernel: string; distro: string; release: string; codename: string }>;
  arch: string;
  platform: string;
}

export const realHostProbes: HostProbes = {
  readFile: (file) => readFile(file, 'utf8'),
  statfs: async (dir) => {
    const s = await statfs(dir);
    return { blocks: s.blocks, bsize: s.bsize };
  },
  networkInterfaces: () => os.networkInterfaces(),
  system: async () => {
    const [cpu, mem, info] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
    return { cpuCount: cpu.cores, memoryBytes: mem.total, kernel: info.kernel, distro: info.distro, release: info.release, codename: info.codename };
  },
  arch: process.arch,
  platform: process.platform,
};

export interface HostInfoDeps {
  rootDir: string;
  nodeIP?: string | undefined;
  probes?: Partial<HostProbes>;
}

const GOARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: '386',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** Node's process.arch in Go's GOARCH spelling, as Kubernetes labels and nodeInfo use it. */
export function goArch(arch: string): string {
  return GOARCH[arch] ?? arch;
}

/** PRETTY_NAME from os-release text, unquoted; undefined when absent. */
export function prettyName(osRelease: string): string | undefined {
  for (const line of osRelease.split('\n')) {
    const m = /^PRETTY_NAME=(.*)$/.exec(line.trim());
    if (m?.[1] === undefined) continue;
    const v = m[1].trim();
    return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
  }
  return undefined;
}

/** The first non-internal IPv4 address, in interface order. */
export function firstHostIPv4(ifaces: NodeJS.Dict<os.NetworkInterfaceInfo[]>): string | undefined {
  for (const addrs of Object.values(ifaces)) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/** Statfs of `dir`, or of its nearest existing parent (the root dir may not exist yet). */
async function filesystemBytes(probes: HostProbes, dir: string): Promise<number> {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const s = await probes.statfs(at);
      return s.blocks * s.bsize;
    } catch (err) {
      const parent = path.dirname(at);
      if (parent === at) throw new NodeletError(ErrorCode.Internal, `cannot statfs ${dir}: ${errorMessage(err)}`, { cause: err });
      at = parent;
    }
  }
}

async function readTrimmed(probes: HostProbes, file: string): Promise<string | undefined> {
  try {
    const v = (await probes.readFile(file)).trim();
    return v === '' ? undefined : v;
  } catch {
    return undefined;
  }
}

/** Reads every fact once. Missing ids are empty strings; a failing system probe is an error. */
export async function readHostInfo(deps: HostInfoDeps): Promise<HostInfo> {
  const probes: HostProbes = { ...realHostProbes, ...deps.probes };
  const [system, machineID, productUUID, bootID, osRelease, ephemeralStorageBytes] = await Promise.all([
    probes.system(),
    readTrimmed(probes, '/etc/machine-id').then(async (id) => id ?? (await readTrimmed(probes, '/var/lib/dbus/machine-id')) ?? ''),
    readTrimmed(probes, '/sys/class/dmi/id/product_uuid'),
    readTrimmed(probes, '/proc/sys/kernel/random/boot_id'),
    readTrimmed(probes, '/etc/os-release'),
    filesystemBytes(probes, deps.rootDir),
  ]);
  const fallbackImage = [system.distro, system.release, system.codename === '' ? '' : `(${system.codename})`].filter((s) => s !== '').join(' ');
  return Object.freeze({
    cpuCount: system.cpuCount,
    memoryBytes: system.memoryBytes,
    machineID,
    systemUUID: productUUID ?? machineID,
    bootID: bootID ?? '',
    kernelVersion: system.kernel,
    osImage: (osRelease === undefined ? undefined : prettyName(osRelease)) ?? fallbackImage,
    operatingSystem: probes.platform,
    architecture: goArch(probes.arch),
    ephemeralStorageBytes,
    internalIP: deps.nodeIP ?? firstHostIPv4(probes.networkInterfaces()),
  });
}

/**
 * A HostInfoSource for the real host: the static facts are read once (systeminformation spawns
 * and parses, which is slow), the filesystem size and addresses on every read.
 */
export function createHostInfoSource(deps: HostInfoDeps): HostInfoSource {
  const probes: HostProbes = { ...realHostProbes, ...deps.probes };
  let cached: Promise<HostInfo> | undefined;
  return {
    read: async () => {
      cached ??= readHostInfo({ ...deps, probes }).catch((err: unknown) => {
        cached = undefined;
        throw err;
      });
      const base = await cached;
      const ephemeralStorageBytes = await filesystemBytes(probes, deps.rootDir);
      const internalIP = deps.nodeIP ?? firstHostIPv4(probes.networkInterfaces());
      return Object.freeze({ ...base, ephemeralStorageBytes, internalIP });
    },
  };
}
