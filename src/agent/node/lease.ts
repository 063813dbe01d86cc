// The node's heartbeat, as kubelet's node lease controller: a coordination.k8s.io/v1 Lease named
// after the node in kube-node-lease, held by the node, renewed every quarter of its duration by an
// update carrying the resourceVersion it read. A Conflict re-reads and retries at once; other
// failures back off (200 ms doubling to 7 s) and re-read the Lease first.
import type { JsonObject, KubeObject, OwnerReference } from '../../api/object.js';
import { asJson, asKube, cloneJson, objectAt } from '../../api/json.js';
import type { KubeClient } from '../../api/client/types.js';
import { backoffDelay } from '../../base/backoff.js';
import type { Clock } from '../../base/clock.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import type { NodeConfig } from './node-deps.js';
import { leasePath, leasesPath, nodePath, NODE_LEASE_NAMESPACE } from './node-paths.js';
import { rfc3339Micro } from './node-status.js';

/** Upstream's renew interval: this fraction of the lease duration. */
export const RENEW_INTERVAL_FRACTION = 0.25;
const RETRY_BACKOFF = { initialMs: 200, maxMs: 7000 };

export interface NodeLeaseDeps {
  client: KubeClient;
  clock: Clock;
  config: Pick<NodeConfig, 'nodeName' | 'nodeLeaseDurationSeconds'>;
  log: Logger;
  /** Overrides the renew interval (default nodeLeaseDurationSeconds * 0.25 s); for tests. */
  renewIntervalMs?: number;
}

/** The Lease as it should be after a renewal at `nowMs`: `base` (the server's copy) updated. */
export function renewedLease(
  base: KubeObject | undefined,
  opts: { nodeName: string; durationSeconds: number; nowMs: number; owner: OwnerReference | undefined },
): KubeObject {
  const lease: KubeObject =
    base === undefined
      ? { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: opts.nodeName, namespace: NODE_LEASE_NAMESPACE } }
      : asKube(cloneJson(asJson(base)));
  const spec: JsonObject = { ...(objectAt(asJson(lease), 'spec') ?? {}) };
  spec.holderIdentity = opts.nodeName;
  spec.leaseDurationSeconds = opts.durationSeconds;
  spec.renewTime = rfc3339Micro(opts.nowMs);
  lease.spec = spec;
  if ((lease.metadata.ownerReferences ?? []).length === 0 && opts.owner !== undefined) lease.metadata.ownerReferences = [opts.owner];
  return lease;
}

export class NodeLease implements Disposable {
  private readonly stop = new AbortController();
  private lease: KubeObject | undefined;

  constructor(private readonly deps: NodeLeaseDeps) {}

  get renewIntervalMs(): number {
    return this.deps.renewIntervalMs ?? this.deps.config.nodeLeaseDurationSeconds * 1000 * RENEW_INTERVAL_FRACTION;
  }

  /** The Lease as last written, if any. */
  get current(): KubeObject | undefined {
    return this.lease;
  }

  /** Renews until `signal` aborts or dispose(); never rejects. */
  async start(signal: AbortSignal): Promise<void> {
    const both = AbortSignal.any([signal, this.stop.signal]);
    let failures = 0;
    let retriedConflict = false;
    while (!both.aborted) {
      let delay = this.renewIntervalMs;
      try {
        await this.renewOnce(both);
        failures = 0;
        retriedConflict = false;
      } catch (err) {
        if (both.aborted) break;
        this.lease = undefined;
        if (isNodeletError(err, ErrorCode.Conflict) && !retriedConflict) {
          retriedConflict = true;
          continue;
        }
        delay = backoffDelay(failures++, RETRY_BACKOFF);
        this.deps.log.warn('node lease renewal failed', { node: this.deps.config.nodeName, error: errorMessage(err), retryInMs: delay });
      }
      try {
        await this.deps.clock.sleep(delay, both);
      } catch {
        break;
      }
    }
  }

  /**
   * One renewal: reads the Lease when none is known (creating it when missing: creation is a
   * renewal), else updates it with the resourceVersion last seen. Rejects with the client's error.
   */
  async renewOnce(signal: AbortSignal): Promise<KubeObject> {
    const { client, config } = this.deps;
    if (this.lease === undefined) {
      try {
        this.lease = await client.get(leasePath(config.nodeName), { signal });
      } catch (err) {
        if (!isNodeletError(err, ErrorCode.NotFound)) throw err;
        const created = await client.create(leasesPath(), await this.desired(undefined, signal), { signal });
        this.lease = created;
        return created;
      }
    }
    const updated = await client.update(leasePath(config.nodeName), await this.desired(this.lease, signal), { signal });
    this.lease = updated;
    return updated;
  }

  private async desired(base: KubeObject | undefined, signal: AbortSignal): Promise<KubeObject> {
    const { config, clock } = this.deps;
    const hasOwner = (base?.metadata.ownerReferences ?? []).length > 0;
    const owner = hasOwner ? undefined : await this.nodeOwner(signal);
    return renewedLease(base, { nodeName: config.nodeName, durationSeconds: config.nodeLeaseDurationSeconds, nowMs: clock.now(), owner });
  }

  /** The Node as the Lease's owner (so deleting the Node deletes it); undefined until the Node exists. */
  private async nodeOwner(signal: AbortSignal): Promise<OwnerReference | undefined> {
    try {
      const node = await this.deps.client.get(nodePath(this.deps.config.nodeName), { signal });
      const uid = node.metadata.uid;
      if (uid === undefined || uid === '') return undefined;
      return { apiVersion: 'v1', kind: 'Node', name: this.deps.config.nodeName, uid };
    } catch (err) {
      if (signal.aborted) throw err;
      this.deps.log.debug('node not readable yet; lease without owner', { node: this.deps.config.nodeName, error: errorMessage(err) });
      return undefined;
    }
  }

  dispose(): void {
    this.stop.abort();
  }
}
