// The CRI v1 client: the Runtime seam over gRPC on a unix socket (containerd, or nodelet's shim).
// Requests are built in camelCase object form (proto/codec.ts, proto-loader's form); replies are
// decoded in decode.ts.
import { ErrorCode, NodeletError, isNodeletError } from '../base/errors.js';
import { CriChannel } from './channel.js';
import { Http2Connection } from './grpc/connection.js';
import * as decode from './decode.js';
import { parseCriEndpoint } from './endpoint.js';
import { toWireInt64 } from './int64.js';
import { criMethodCodec } from './proto/codec.js';
import type { Reader } from './reader.js';
import type {
  Container,
  ContainerEvent,
  ContainerStats,
  ContainerStatusResult,
  ExecSyncResult,
  Image,
  ImageFsInfo,
  PodSandbox,
  PodSandboxStatusResult,
  RuntimeConfigInfo,
  RuntimeStatusInfo,
  VersionInfo,
} from './replies.js';
import type {
  CallOptions,
  ImageRef,
  PullImageOptions,
  RunPodSandboxOptions,
  Runtime,
  StreamRequest,
  VerboseOptions,
} from './runtime.js';
import type {
  CgroupDriver,
  ContainerConfig,
  ContainerFilter,
  ContainerStatsFilter,
  ImageSpec,
  LinuxContainerResources,
  PodSandboxConfig,
  PodSandboxFilter,
} from './types.js';

export interface CriClientOptions {
  /** As kubelet's --container-runtime-endpoint, e.g. unix:///run/containerd/containerd.sock. */
  endpoint: string;
  /** As --image-service-endpoint; defaults to `endpoint` (and then shares its connection). */
  imageEndpoint?: string;
  /** Deadline of ordinary calls; kubelet's --runtime-request-timeout default, 2 minutes. */
  timeoutMs?: number;
  /** Deadline of PullImage, which can take long on a slow registry; default 30 minutes. */
  pullTimeoutMs?: number;
  /** Added to ExecSync's own timeout for the call's deadline, so the runtime reports first. */
  execSlackMs?: number;
}

export const CRI_DEFAULTS = Object.freeze({
  timeoutMs: 2 * 60_000,
  pullTimeoutMs: 30 * 60_000,
  execSlackMs: 30_000,
});

/** The CRI API version we speak, sent in VersionRequest. */
export const CRI_API_VERSION = 'v1';

const CGROUP_DRIVERS: readonly CgroupDriver[] = ['SYSTEMD', 'CGROUPFS'];

export class CriClient implements Runtime {
  private readonly runtimeChannel: CriChannel;
  private readonly imageChannel: CriChannel;
  private readonly timeoutMs: number;
  private readonly pullTimeoutMs: number;
  private readonly execSlackMs: number;

  /** Validates the options (InvalidConfig) and prepares the connection; nothing is dialled yet. */
  constructor(options: CriClientOptions) {
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? CRI_DEFAULTS.timeoutMs);
    this.pullTimeoutMs = positive('pullTimeoutMs', options.pullTimeoutMs ?? CRI_DEFAULTS.pullTimeoutMs);
    this.execSlackMs = positive('execSlackMs', options.execSlackMs ?? CRI_DEFAULTS.execSlackMs);
    const runtime = parseCriEndpoint(options.endpoint);
    const images = parseCriEndpoint(options.imageEndpoint ?? options.endpoint);
    const runtimeConn = new Http2Connection(runtime.socketPath);
    this.runtimeChannel = new CriChannel(runtimeConn, (rpc) => criMethodCodec('RuntimeService', rpc));
    // One connection when both services are on one socket (the usual case), as kubelet's.
    this.imageChannel = new CriChannel(images.socketPath === runtime.socketPath ? runtimeConn : new Http2Connection(images.socketPath), (rpc) => criMethodCodec('ImageService', rpc));
  }

  // ---- runtime ----

  async version(opts?: CallOptions): Promise<VersionInfo> {
    const r = await this.call('Version', { version: CRI_API_VERSION }, opts);
    return {
      version: r.str('version'),
      runtimeName: r.str('runtimeName'),
      runtimeVersion: r.str('runtimeVersion'),
      runtimeApiVersion: r.str('runtimeApiVersion'),
    };
  }

  async status(opts?: VerboseOptions): Promise<RuntimeStatusInfo> {
    const r = await this.call('Status', { verbose: opts?.verbose ?? false }, opts);
    return {
      conditions: (r.msg('status')?.list('conditions', (c) => c) ?? []).map((c) => ({
        type: c.str('type'),
        status: c.bool('status'),
        reason: c.str('reason'),
        message: c.str('message'),
      })),
      info: r.map('info'),
      runtimeHandlers: r.list('runtimeHandlers', (h) => ({
        name: h.str('name'),
        recursiveReadOnlyMounts: h.msg('features')?.bool('recursiveReadOnlyMounts') ?? false,
        userNamespaces: h.msg('features')?.bool('userNamespaces') ?? false,
      })),
    };
  }

  async runtimeConfig(opts?: CallOptions): Promise<RuntimeConfigInfo> {
    const driver = (await this.call('RuntimeConfig', {}, opts)).msg('linux')?.enumName('cgroupDriver', '');
    return { cgroupDriver: CGROUP_DRIVERS.find((d) => d === driver) };
  }

  async updateRuntimeConfig(podCidr: string, opts?: CallOptions): Promise<void> {
    await this.call('UpdateRuntimeConfig', { runtimeConfig: { networkConfig: { podCidr } } }, opts);
  }

  // ---- pod sandboxes ----

  async runPodSandbox(config: PodSandboxConfig, opts?: RunPodSandboxOptions): Promise<string> {
    const r = await this.call('RunPodSandbox', { config, runtimeHandler: opts?.runtimeHandler ?? '' }, opts);
    return r.str('podSandboxId');
  }

  stopPodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    return ignoreNotFound(this.call('StopPodSandbox', { podSandboxId }, opts));
  }

  removePodSandbox(podSandboxId: string, opts?: CallOptions): Promise<void> {
    return ignoreNotFound(this.call('RemovePodSandbox', { podSandboxId }, opts));
  }

  async podSandboxStatus(podSandboxId: string, opts?: VerboseOptions): Promise<PodSandboxStatusResult> {
    const r = await this.call('PodSandboxStatus', { podSandboxId, verbose: opts?.verbose ?? false }, opts);
    const status = r.msg('status');
    if (!status) throw missingIn('PodSandboxStatus', 'status');
    return {
      status: decode.podSandboxStatus(status),
      info: r.map('info'),
      containersStatuses: r.list('containersStatuses', decode.containerStatus),
      timestamp: r.big('timestamp'),
    };
  }

  async listPodSandbox(filter?: PodSandboxFilter, opts?: CallOptions): Promise<PodSandbox[]> {
    const wire = filter && { ...filter, state: filter.state === undefined ? undefined : { state: filter.state } };
    const r = await this.call('ListPodSandbox', { filter: wire }, opts);
    return r.list('items', decode.podSandbox);
  }

  // ---- containers ----

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
    opts?: CallOptions,
  ): Promise<string> {
    const r = await this.call('CreateContainer', { podSandboxId, config, sandboxConfig }, opts);
    return r.str('containerId');
  }

  async startContainer(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call('StartContainer', { containerId }, opts);
  }

  async stopContainer(containerId: string, timeoutSec: number, opts?: CallOptions): Promise<void> {
    const timeout = seconds('StopContainer timeout', timeoutSec);
    // The runtime may legitimately take the whole grace period; kubelet adds it likewise.
    const timeoutMs = (opts?.timeoutMs ?? this.timeoutMs) + timeoutSec * 1000;
    return ignoreNotFound(this.call('StopContainer', { containerId, timeout }, { ...opts, timeoutMs }));
  }

  removeContainer(containerId: string, opts?: CallOptions): Promise<void> {
    return ignoreNotFound(this.call('RemoveContainer', { containerId }, opts));
  }

  async listContainers(filter?: ContainerFilter, opts?: CallOptions): Promise<Container[]> {
    const wire = filter && { ...filter, state: filter.state === undefined ? undefined : { state: filter.state } };
    const r = await this.call('ListContainers', { filter: wire }, opts);
    return r.list('containers', decode.container);
  }

  async containerStatus(containerId: string, opts?: VerboseOptions): Promise<ContainerStatusResult> {
    const r = await this.call('ContainerStatus', { containerId, verbose: opts?.verbose ?? false }, opts);
    const status = r.msg('status');
    if (!status) throw missingIn('ContainerStatus', 'status');
    return { status: decode.containerStatus(status), info: r.map('info') };
  }

  async updateContainerResources(containerId: string, resources: LinuxContainerResources, opts?: CallOptions): Promise<void> {
    await this.call('UpdateContainerResources', { containerId, linux: resources }, opts);
  }

  async reopenContainerLog(containerId: string, opts?: CallOptions): Promise<void> {
    await this.call('ReopenContainerLog', { containerId }, opts);
  }

  async listContainerStats(filter?: ContainerStatsFilter, opts?: CallOptions): Promise<ContainerStats[]> {
    const r = await this.call('ListContainerStats', { filter }, opts);
    return r.list('stats', decode.containerStats);
  }

  // ---- exec and streaming ----

  async execSync(containerId: string, cmd: string[], timeoutSec: number, opts?: CallOptions): Promise<ExecSyncResult> {
    const timeout = seconds('ExecSync timeout', timeoutSec);
    // timeoutSec 0 means "no limit" in CRI, so the call gets no deadline either (as in kubelet).
    const timeoutMs = opts?.timeoutMs ?? (timeoutSec > 0 ? timeoutSec * 1000 + this.execSlackMs : undefined);
    const r = await this.runtimeChannel.unary('ExecSync', { containerId, cmd, timeout }, { timeoutMs, signal: opts?.signal });
    return { stdout: r.bytes('stdout'), stderr: r.bytes('stderr'), exitCode: r.num('exitCode') };
  }

  async exec(request: StreamRequest, opts?: CallOptions): Promise<string> {
    return (await this.call('Exec', request, opts)).str('url');
  }

  async attach(request: StreamRequest, opts?: CallOptions): Promise<string> {
    const { cmd: _cmd, ...attach } = request;
    return (await this.call('Attach', attach, opts)).str('url');
  }

  async portForward(podSandboxId: string, ports: number[], opts?: CallOptions): Promise<string> {
    return (await this.call('PortForward', { podSandboxId, port: ports }, opts)).str('url');
  }

  async *containerEvents(signal?: AbortSignal): AsyncGenerator<ContainerEvent, void, undefined> {
    for await (const r of this.runtimeChannel.stream('GetContainerEvents', {}, signal)) yield decode.containerEvent(r);
  }

  // ---- images ----

  async pullImage(image: ImageRef, opts?: PullImageOptions): Promise<string> {
    const request = { image: imageSpec(image), auth: opts?.auth, sandboxConfig: opts?.sandboxConfig };
    const r = await this.imageChannel.unary('PullImage', request, {
      timeoutMs: opts?.timeoutMs ?? this.pullTimeoutMs,
      signal: opts?.signal,
    });
    return r.str('imageRef');
  }

  async imageStatus(image: ImageRef, opts?: VerboseOptions): Promise<Image | null> {
    const r = await this.imageCall('ImageStatus', { image: imageSpec(image), verbose: opts?.verbose ?? false }, opts);
    const found = r.msg('image');
    return found ? decode.image(found) : null;
  }

  async listImages(filter?: ImageRef, opts?: CallOptions): Promise<Image[]> {
    const r = await this.imageCall('ListImages', { filter: filter && { image: imageSpec(filter) } }, opts);
    return r.list('images', decode.image);
  }

  removeImage(image: ImageRef, opts?: CallOptions): Promise<void> {
    return ignoreNotFound(this.imageCall('RemoveImage', { image: imageSpec(image) }, opts));
  }

  async imageFsInfo(opts?: CallOptions): Promise<ImageFsInfo> {
    const r = await this.imageCall('ImageFsInfo', {}, opts);
    return {
      imageFilesystems: r.list('imageFilesystems', decode.filesystemUsage),
      containerFilesystems: r.list('containerFilesystems', decode.filesystemUsage),
    };
  }

  /** Closes the connections; calls in flight fail. Safe to call twice. */
  dispose(): void {
    this.runtimeChannel.dispose();
    this.imageChannel.dispose();
  }

  /** Same as dispose(). */
  close(): void {
    this.dispose();
  }

  private call(rpc: string, request: object, opts: CallOptions | undefined): Promise<Reader> {
    return this.runtimeChannel.unary(rpc, request, { timeoutMs: opts?.timeoutMs ?? this.timeoutMs, signal: opts?.signal });
  }

  private imageCall(rpc: string, request: object, opts: CallOptions | undefined): Promise<Reader> {
    return this.imageChannel.unary(rpc, request, { timeoutMs: opts?.timeoutMs ?? this.timeoutMs, signal: opts?.signal });
  }
}

/** CRI says these calls succeed when the object is already gone; some runtimes answer NotFound. */
async function ignoreNotFound(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (isNodeletError(err, ErrorCode.NotFound)) return;
    throw err;
  }
}

function imageSpec(image: ImageRef): ImageSpec {
  return typeof image === 'string' ? { image } : image;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new NodeletError(ErrorCode.InvalidConfig, `CRI client ${name} must be a positive number of milliseconds, got ${value}`);
  }
  return value;
}

function seconds(what: string, value: number): string {
  if (value < 0) throw new NodeletError(ErrorCode.InvalidArgument, `${what} must not be negative, got ${value}`);
  return toWireInt64(value, what);
}

function missingIn(rpc: string, field: string): NodeletError {
  return new NodeletError(ErrorCode.Internal, `malformed CRI reply: ${rpc} has no ${field}`);
}
