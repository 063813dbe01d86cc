// Keeps a mirror pod in the apiserver for each static pod of this node (cluster mode only: in
// standalone mode there is no KubeClient and no mirror manager). Inputs are level-triggered: the
// current static pods (from the file source) and the mirror pods the api source sees. A sync
// plans with planMirrors and applies the actions; it runs when an input changes and every
// resyncMs, and only after both inputs arrived once (so an agent that just started never deletes
// mirrors of static pods it has not read yet). Failed calls are logged and retried at the next sync.
//
// Deletes use gracePeriodSeconds 0 and a uid precondition, as upstream's DeleteMirrorPod: a stale
// view can never delete a newer mirror pod of the same name. AlreadyExists on create and
// NotFound/Conflict on delete mean someone got there first, which is fine.
import type { KubeClient } from '../../api/client/types.js';
import type { Pod } from '../../api/pod-types.js';
import type { Clock } from '../../base/clock.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import { isMirrorPodOf, mirrorPodFor, planMirrors, podKey } from './mirror-plan.js';
import type { MirrorAction, NodeRef } from './mirror-plan.js';

export interface MirrorManagerDeps {
  client: KubeClient;
  clock: Clock;
  log: Logger;
}

export interface MirrorManagerOptions {
  nodeName: string;
  /** Periodic resync in ms (retries failed calls); default 10 s. */
  resyncMs?: number;
}

const podPath = (namespace: string, name?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

export class MirrorManager implements Disposable {
  private staticPods: Pod[] | undefined;
  private mirrors: Pod[] | undefined;
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;
  private nodeMissingLogged = false;

  constructor(
    private readonly deps: MirrorManagerDeps,
    private readonly opts: MirrorManagerOptions,
  ) {}

  /** The static pods the agent runs now (full set). Triggers a sync. */
  setStaticPods(pods: readonly Pod[]): void {
    this.staticPods = [...pods];
    void this.sync();
  }

  /** The mirror pods bound to this node as the apiserver has them (full set). Triggers a sync. */
  setMirrorPods(pods: readonly Pod[]): void {
    this.mirrors = [...pods];
    void this.sync();
  }

  /** The mirror pod of a static pod as last seen, when it is current (for status reporting). */
  mirrorOf(staticPod: Pod): Pod | undefined {
    return this.mirrors?.find((m) => isMirrorPodOf(m, staticPod));
  }

  /** Starts the periodic resync. Idempotent. */
  start(): void {
    this.loop ??= this.run(this.controller.signal);
  }

  /** One plan-and-apply pass, coalesced (a call while a pass is queued joins it). Never rejects. */
  sync(): Promise<void> {
    if (this.queued !== undefined) return this.queued;
    const next = this.tail.then(() => {
      this.queued = undefined;
      return this.pass();
    });
    this.queued = next;
    this.tail = next;
    return next;
  }

  async dispose(): Promise<void> {
    this.controller.abort();
    await this.loop;
    await this.tail;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const period = this.opts.resyncMs ?? 10_000;
    while (!signal.aborted) {
      try {
        await this.deps.clock.sleep(period, signal);
      } catch {
        return;
      }
      await this.sync();
    }
  }

  private async pass(): Promise<void> {
    const signal = this.controller.signal;
    if (signal.aborted || this.staticPods === undefined || this.mirrors === undefined) return;
    const actions = planMirrors(this.staticPods, this.mirrors);
    if (actions.length === 0) return;
    const node = actions.some((a) => a.op === 'create') ? await this.node(signal) : undefined;
    for (const action of actions) {
      if (signal.aborted) return;
      try {
        await this.apply(action, node, signal);
      } catch (err) {
        if (signal.aborted) return;
        const target = action.op === 'create' ? podKey(action.staticPod) : `${action.namespace}/${action.name}`;
        this.deps.log.warn(`mirror pod ${action.op} failed; retrying at the next sync`, { pod: target, error: errorMessage(err) });
      }
    }
  }

  /** This node's name and uid (fetched each pass that creates: a re-registered node has a new uid). */
  private async node(signal: AbortSignal): Promise<NodeRef | undefined> {
    try {
      const node = await this.deps.client.get(`/api/v1/nodes/${encodeURIComponent(this.opts.nodeName)}`, { signal });
      const uid = node.metadata.uid;
      if (uid === undefined || uid === '') return undefined;
      this.nodeMissingLogged = false;
      return { name: this.opts.nodeName, uid };
    } catch (err) {
      if (!this.nodeMissingLogged && !signal.aborted) {
        this.deps.log.info('node not found in the apiserver yet; mirror pods wait for it', { node: this.opts.nodeName, error: errorMessage(err) });
        this.nodeMissingLogged = true;
      }
      return undefined;
    }
  }

  private async apply(action: MirrorAction, node: NodeRef | undefined, signal: AbortSignal): Promise<void> {
    if (action.op === 'delete') {
      try {
        await this.deps.client.delete(podPath(action.namespace, action.name), { gracePeriodSeconds: 0, preconditions: { uid: action.uid } }, { signal });
        this.deps.log.info('deleted mirror pod', { pod: `${action.namespace}/${action.name}`, uid: action.uid, reason: action.reason });
      } catch (err) {
        if (!isNodeletError(err, ErrorCode.NotFound) && !isNodeletError(err, ErrorCode.Conflict)) throw err;
      }
      return;
    }
    if (node === undefined) return;
    const pod = action.staticPod;
    try {
      await this.deps.client.create(podPath(pod.metadata.namespace), mirrorPodFor(pod, node), { signal });
      this.deps.log.info('created mirror pod', { pod: podKey(pod) });
    } catch (err) {
      if (!isNodeletError(err, ErrorCode.Conflict) && !isNodeletError(err, ErrorCode.AlreadyExists)) throw err;
    }
  }
}
