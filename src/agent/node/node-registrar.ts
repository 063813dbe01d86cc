// Registers the Node, as kubelet's registerWithAPIServer: create it with labels, spec and status;
// when it already exists (a restart, or someone created it first), adopt it: put back the labels
// kubelet owns and the pod CIDR when unset, then write the current status.
import type { KubeObject } from '../../api/object.js';
import { asJson, objectAt, stringAt } from '../../api/json.js';
import { backoffDelay } from '../../base/backoff.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../base/errors.js';
import { RUNTIME_POLL_TIMEOUT_MS, type NodeDeps } from './node-deps.js';
import { nodePath, nodeStatusPath } from './node-paths.js';
import { buildNodeStatus, initialNode, nodeLabels, type NodeStatus } from './node-status.js';
import { observeRuntime } from './observe-runtime.js';

/** Upstream's registration back-off: 100 ms doubling to 7 s. */
const REGISTER_BACKOFF = { initialMs: 100, maxMs: 7000 };

export interface RegistrationResult {
  /** The Node as the server has it after registration. */
  node: KubeObject;
  /** True when the Node existed and was adopted. */
  adopted: boolean;
}

/** The label and spec changes an existing Node needs; undefined when it needs none. */
export function adoptionPatch(existing: KubeObject, wantLabels: Record<string, string>, podCIDR: string): Record<string, unknown> | undefined {
  const have = existing.metadata.labels ?? {};
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(wantLabels)) if (have[k] !== v) labels[k] = v;
  const patch: Record<string, unknown> = {};
  if (Object.keys(labels).length > 0) patch.metadata = { labels };
  const spec = objectAt(asJson(existing), 'spec');
  if (podCIDR !== '' && (stringAt(spec, 'podCIDR') ?? '') === '') patch.spec = { podCIDR, podCIDRs: [podCIDR] };
  return Object.keys(patch).length > 0 ? patch : undefined;
}

export class NodeRegistrar {
  constructor(private readonly deps: NodeDeps) {}

  /**
   * Registers, retrying with back-off until it succeeds; rejects only when `signal` aborts.
   * Idempotent: a second run adopts the Node the first created.
   */
  async register(signal: AbortSignal): Promise<RegistrationResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.registerOnce(signal);
      } catch (err) {
        if (signal.aborted) throw err;
        const delay = backoffDelay(attempt, REGISTER_BACKOFF);
        this.deps.log.warn('node registration failed; retrying', { node: this.deps.config.nodeName, error: errorMessage(err), retryInMs: delay });
        await this.deps.clock.sleep(delay, signal);
      }
    }
  }

  /** One attempt: create, or on AlreadyExists adopt. Errors are the client's. */
  async registerOnce(signal: AbortSignal): Promise<RegistrationResult> {
    const { client, config, log } = this.deps;
    const status = await this.currentStatus(signal, undefined);
    const host = await this.deps.hostInfo.read(signal);
    try {
      const node = await client.create('/api/v1/nodes', initialNode(config.nodeName, config.podCIDR, host, status), { signal });
      log.info('node registered', { node: config.nodeName });
      return { node, adopted: false };
    } catch (err) {
      if (!isNodeletError(err, ErrorCode.AlreadyExists)) throw err;
    }
    let node = await client.get(nodePath(config.nodeName), { signal });
    const patch = adoptionPatch(node, nodeLabels(config.nodeName, host), config.podCIDR);
    if (patch !== undefined) node = await client.patch(nodePath(config.nodeName), 'merge', patch, { signal });
    // Transition times carry over from the adopted Node's conditions.
    const adoptedStatus = await this.currentStatus(signal, node);
    node = await client.patch(nodeStatusPath(config.nodeName), 'strategic', { status: adoptedStatus }, { signal });
    log.info('node already registered; adopted it', { node: config.nodeName });
    return { node, adopted: true };
  }

  private async currentStatus(signal: AbortSignal, previous: KubeObject | undefined): Promise<NodeStatus> {
    const { config, clock, runtime, hostInfo } = this.deps;
    const host = await hostInfo.read(signal);
    const observed = await observeRuntime(runtime, { signal, timeoutMs: RUNTIME_POLL_TIMEOUT_MS });
    return buildNodeStatus(
      { nodeName: config.nodeName, maxPods: config.maxPods, maxImages: config.nodeStatusMaxImages, host, runtime: observed, nowMs: clock.now() },
      previous,
    );
  }
}

