// Keeps the Node's status current, as kubelet's syncNodeStatus: every nodeStatusUpdateFrequency it
// computes the status (host facts, a poll of the runtime) and PATCHes nodes/<name>/status, but only
// when something other than heartbeat times changed or nodeStatusReportFrequency has passed since
// the last write (the Lease is the frequent heartbeat).
import type { KubeObject } from '../../api/object.js';
import { errorMessage } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import { RUNTIME_POLL_TIMEOUT_MS, type NodeDeps } from './node-deps.js';
import { nodePath, nodeStatusPath } from './node-paths.js';
import { buildNodeStatus, nodeStatusChanged, type NodeStatus } from './node-status.js';
import { observeRuntime } from './observe-runtime.js';

/** Upstream's nodeStatusUpdateRetry: tries per update before waiting for the next one. */
const UPDATE_TRIES = 5;

export type SyncResult = 'patched' | 'unchanged';

export class NodeStatusManager implements Disposable {
  private readonly stop = new AbortController();
  /** The Node as last seen on the server (transition times come from it); undefined: re-get. */
  private node: KubeObject | undefined;
  private lastSent: NodeStatus | undefined;
  private lastReportMs: number | undefined;

  /** `node`: the registrar's result, saving the first GET. */
  constructor(private readonly deps: NodeDeps, node?: KubeObject) {
    this.node = node;
  }

  /** The last status written, if any. */
  get status(): NodeStatus | undefined {
    return this.lastSent;
  }

  /** Runs updates every nodeStatusUpdateFrequency until `signal` aborts or dispose(); never rejects. */
  async start(signal: AbortSignal): Promise<void> {
    const both = AbortSignal.any([signal, this.stop.signal]);
    while (!both.aborted) {
      try {
        await this.sync(both);
      } catch (err) {
        if (both.aborted) break;
        this.deps.log.warn('node status update failed', { node: this.deps.config.nodeName, error: errorMessage(err) });
      }
      try {
        await this.deps.clock.sleep(this.deps.config.nodeStatusUpdateFrequencyMs, both);
      } catch {
        break;
      }
    }
  }

  /**
   * One update, tried up to 5 times (re-reading the Node after a failure). Resolves with whether
   * a PATCH was sent; rejects with the last error when every try failed.
   */
  async sync(signal: AbortSignal): Promise<SyncResult> {
    let lastError: unknown;
    for (let i = 0; i < UPDATE_TRIES; i++) {
      try {
        return await this.tryUpdate(signal);
      } catch (err) {
        if (signal.aborted) throw err;
        lastError = err;
        this.node = undefined;
      }
    }
    throw lastError;
  }

  private async tryUpdate(signal: AbortSignal): Promise<SyncResult> {
    const { client, clock, config, hostInfo, runtime } = this.deps;
    this.node ??= await client.get(nodePath(config.nodeName), { signal });
    const host = await hostInfo.read(signal);
    const observed = await observeRuntime(runtime, { signal, timeoutMs: RUNTIME_POLL_TIMEOUT_MS });
    const nowMs = clock.now();
    const status = buildNodeStatus(
      { nodeName: config.nodeName, maxPods: config.maxPods, maxImages: config.nodeStatusMaxImages, host, runtime: observed, nowMs },
      this.node,
    );
    const due = this.lastReportMs === undefined || nowMs - this.lastReportMs >= config.nodeStatusReportFrequencyMs;
    if (!due && !nodeStatusChanged(this.lastSent, status)) return 'unchanged';
    // Strategic merge: conditions and addresses merge by type, images are replaced whole.
    this.node = await client.patch(nodeStatusPath(config.nodeName), 'strategic', { status }, { signal });
    if (this.lastSent !== undefined && readyOf(this.lastSent) !== readyOf(status)) {
      this.deps.log.info('node readiness changed', { node: config.nodeName, ready: readyOf(status), message: readyMessage(status) });
    }
    this.lastSent = status;
    this.lastReportMs = nowMs;
    return 'patched';
  }

  dispose(): void {
    this.stop.abort();
  }
}

function readyOf(s: NodeStatus): string {
  return s.conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

function readyMessage(s: NodeStatus): string {
  return s.conditions.find((c) => c.type === 'Ready')?.message ?? '';
}
