// The status manager, as upstream kubelet's status/status_manager.go: it keeps the latest
// generated status per pod UID with a version, and a sync loop sends changed statuses to the
// apiserver. Invariants:
//  - setPodStatus stores a status only when it differs from the cached one; each stored status
//    gets the next version of its pod;
//  - a status is sent only when its version is newer than the last one sent, so an older status
//    never overwrites a newer one (the loop sends one pod at a time, always its latest status);
//  - a failed send is retried with back-off (500 ms doubling to 10 s) and by the 10 s batch
//    that resends every unsent status (upstream's syncBatch);
//  - static pods report through their mirror pod; without one yet the status waits;
//  - a pod the apiserver no longer has (NotFound) is dropped from the cache;
//  - once the worker says a deleted pod has fully terminated and its final status is sent, the
//    pod is deleted with grace 0 and a UID precondition: the node confirming the deletion.
// Standalone (no client) it only keeps statuses for getPodStatus.
import { backoffDelay } from '../../base/backoff.js';
import type { Clock } from '../../base/clock.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import type { KubeClient } from '../../api/client/types.js';
import type { Pod, PodStatus } from '../../api/pod-types.js';
import { SourceAnnotation } from '../labels.js';
import { deepEqual, statusPatch } from './status-patch.js';

export interface PodRef {
  name: string;
  namespace: string;
  uid: string;
}

export interface StatusManagerDeps {
  client?: KubeClient;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** The mirror pod of a static pod, when the apiserver has one. */
  mirrorPodFor?(staticPod: Pod): PodRef | undefined;
}

export const RESEND_INTERVAL_MS = 10_000;
const RETRY = { initialMs: 500, maxMs: 10_000 };

interface Entry {
  pod: Pod;
  status: PodStatus | undefined;
  version: number;
  sentVersion: number;
  /** The worker says the pod is fully terminated. */
  terminated: boolean;
  failures: number;
  /** Not before this (ms), after a failure. */
  retryAt: number;
  /** The uid of the pod object the last status went to: a recreated mirror pod needs it again. */
  sentTo?: string;
}

export function isStaticPod(pod: Pod): boolean {
  const source = pod.metadata.annotations?.[SourceAnnotation.source];
  return source !== undefined && source !== 'api';
}

/**
 * The reason the idle sleep is aborted with. abort() without a reason builds a DOMException with
 * a stack trace, and the loop is woken for every pod update: a fixed reason costs nothing.
 */
const WOKEN = Object.freeze({ woken: true });

/** Status PATCHes in flight at once. */
const SEND_CONCURRENCY = 8;

export class StatusManager implements Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly stop = new AbortController();
  private wake: (() => void) | undefined;
  private pending = false;
  private loop: Promise<void> | undefined;
  private nextBatchAt = 0;
  /** Pods with a send in flight. */
  private readonly inFlight = new Set<string>();
  private readonly sends = new Set<Promise<void>>();
  /** The version each pod was last taken at since the loop last woke. */
  private readonly attempted = new Map<string, number>();

  constructor(private readonly deps: StatusManagerDeps) {}

  /** Starts the sync loop (no-op standalone). Idempotent. */
  start(): void {
    if (this.deps.client === undefined || this.loop !== undefined) return;
    this.nextBatchAt = this.deps.clock.now() + RESEND_INTERVAL_MS;
    this.loop = this.run(this.deps.client);
  }

  /** The cached status of a pod (the last one set), for the generator's oldStatus and the HTTP API. */
  getPodStatus(uid: string): PodStatus | undefined {
    const s = this.entries.get(uid)?.status;
    return s === undefined ? undefined : structuredClone(s);
  }

  /** Stores the status if it differs from the cached one and asks for a sync. Returns whether it changed. */
  setPodStatus(pod: Pod, status: PodStatus): boolean {
    const entry = this.entryFor(pod);
    entry.pod = pod;
    if (entry.status !== undefined && deepEqual(entry.status, status)) return false;
    entry.status = structuredClone(status);
    entry.version++;
    entry.retryAt = 0;
    this.requestSync();
    return true;
  }

  /**
   * The worker has fully terminated the pod (containers stopped, volumes cleaned). When the pod
   * carries a deletionTimestamp, it is deleted from the apiserver after its final status is sent.
   */
  podTerminated(pod: Pod): void {
    const entry = this.entryFor(pod);
    entry.pod = pod;
    entry.terminated = true;
    entry.retryAt = 0;
    this.requestSync();
  }

  /** Mirror pods changed: a static pod's status may now have (another) pod object to go to. */
  mirrorsChanged(): void {
    this.requestSync();
  }

  /** Forgets a pod (the worker has removed it). */
  removePod(uid: string): void {
    this.entries.delete(uid);
  }

  async dispose(): Promise<void> {
    this.stop.abort();
    this.wake?.();
    await this.loop;
  }

  private entryFor(pod: Pod): Entry {
    let entry = this.entries.get(pod.metadata.uid);
    if (entry === undefined) {
      entry = { pod, status: undefined, version: 0, sentVersion: 0, terminated: false, failures: 0, retryAt: 0 };
      this.entries.set(pod.metadata.uid, entry);
    }
    return entry;
  }

  private requestSync(): void {
    this.pending = true;
    this.wake?.();
  }

  private needsDelete(entry: Entry): boolean {
    return entry.terminated && entry.pod.metadata.deletionTimestamp !== undefined && !isStaticPod(entry.pod);
  }

  private needsSync(entry: Entry): boolean {
    return entry.version > entry.sentVersion || this.targetChanged(entry) || this.needsDelete(entry);
  }

  private targetChanged(entry: Entry): boolean {
    if (entry.status === undefined || !isStaticPod(entry.pod)) return false;
    const target = this.targetOf(entry.pod);
    return target !== undefined && target.uid !== entry.sentTo;
  }

  private async run(client: KubeClient): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      const now = this.deps.clock.now();
      if (now >= this.nextBatchAt) {
        // The batch: every unsent status is due now, failed ones included.
        this.nextBatchAt = now + RESEND_INTERVAL_MS;
        for (const e of this.entries.values()) if (this.needsSync(e)) e.retryAt = 0;
      }
      this.pending = false;
      this.attempted.clear();
      this.fill(client, signal);
      if (this.pending) continue;
      await this.idle(signal);
    }
    await Promise.all(this.sends);
  }

  /**
   * Starts sends of due pods while fewer than SEND_CONCURRENCY are in flight; each send that ends
   * fills again. So a burst of pods becoming Ready is not reported one round trip at a time, and a
   * status set while others are in flight goes out as soon as a slot is free. A pod has one send
   * in flight at most, so its sends stay in order (each sends its latest status). Between two
   * wakes of the loop a pod is taken again only with a newer status: no spinning on a static pod
   * without a mirror pod.
   */
  private fill(client: KubeClient, signal: AbortSignal): void {
    while (!signal.aborted && this.inFlight.size < SEND_CONCURRENCY) {
      const item = this.nextDue();
      if (item === undefined) return;
      const [uid, entry] = item;
      this.attempted.set(uid, entry.version);
      this.inFlight.add(uid);
      const send: Promise<void> = this.syncPod(client, uid, entry, signal).finally(() => {
        this.inFlight.delete(uid);
        this.sends.delete(send);
        // A failed send set a retry time: the sleeping loop recomputes when to wake.
        if (entry.retryAt > 0) this.wake?.();
        this.fill(client, signal);
      });
      this.sends.add(send);
    }
  }

  private nextDue(): [string, Entry] | undefined {
    const now = this.deps.clock.now();
    for (const [uid, entry] of this.entries) {
      if (this.inFlight.has(uid)) continue;
      const tried = this.attempted.get(uid);
      if (tried !== undefined && entry.version <= tried) continue;
      if (this.needsSync(entry) && entry.retryAt <= now) return [uid, entry];
    }
    return undefined;
  }

  /** Sleeps until a sync is requested, the earliest retry is due, or the next batch. */
  private async idle(signal: AbortSignal): Promise<void> {
    let until = this.nextBatchAt;
    for (const e of this.entries.values()) if (this.needsSync(e) && e.retryAt > 0) until = Math.min(until, e.retryAt);
    const ms = Math.max(0, until - this.deps.clock.now());
    const woken = new AbortController();
    const onStop = (): void => woken.abort(WOKEN);
    signal.addEventListener('abort', onStop, { once: true });
    this.wake = () => woken.abort(WOKEN);
    try {
      if (!this.pending && !signal.aborted) await this.deps.clock.sleep(ms, woken.signal);
    } catch {
      // Woken early.
    } finally {
      this.wake = undefined;
      signal.removeEventListener('abort', onStop);
    }
  }

  private async syncPod(client: KubeClient, uid: string, entry: Entry, signal: AbortSignal): Promise<void> {
    const target = this.targetOf(entry.pod);
    if (target === undefined) {
      this.deps.log.debug('static pod has no mirror pod yet; status kept', { pod: `${entry.pod.metadata.namespace}/${entry.pod.metadata.name}` });
      return;
    }
    const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.name)}`;
    try {
      if ((entry.version > entry.sentVersion || target.uid !== entry.sentTo) && entry.status !== undefined) {
        const version = entry.version;
        await client.patch(`${path}/status`, 'merge', statusPatch(target.uid, entry.status), { signal });
        entry.sentVersion = Math.max(entry.sentVersion, version);
        entry.sentTo = target.uid;
        this.deps.log.debug('pod status sent', { pod: `${target.namespace}/${target.name}`, version });
      }
      if (entry.version === entry.sentVersion && this.needsDelete(entry)) {
        await client.delete(path, { gracePeriodSeconds: 0, preconditions: { uid: target.uid } }, { signal });
        this.deps.log.info('pod deletion confirmed', { pod: `${target.namespace}/${target.name}` });
        this.entries.delete(uid);
      }
      entry.failures = 0;
      entry.retryAt = 0;
    } catch (err) {
      if (signal.aborted) return;
      if (isNodeletError(err, ErrorCode.NotFound) && isStaticPod(entry.pod)) {
        // The mirror pod went away; its replacement gets the status (mirrorsChanged).
        entry.sentTo = target.uid;
        return;
      }
      if (isNodeletError(err, ErrorCode.NotFound)) {
        this.deps.log.info('pod no longer exists on the apiserver; status dropped', { pod: `${target.namespace}/${target.name}` });
        this.entries.delete(uid);
        return;
      }
      if (isNodeletError(err, ErrorCode.Conflict)) {
        // The UID precondition failed: the name now belongs to another incarnation of the pod.
        this.deps.log.info('pod was replaced on the apiserver; status dropped', { pod: `${target.namespace}/${target.name}`, uid: target.uid });
        entry.sentVersion = entry.version;
        entry.sentTo = target.uid;
        if (this.needsDelete(entry)) this.entries.delete(uid);
        return;
      }
      entry.retryAt = this.deps.clock.now() + backoffDelay(entry.failures, RETRY);
      entry.failures++;
      this.deps.log.warn('failed to update pod status', { pod: `${target.namespace}/${target.name}`, error: errorMessage(err) });
    }
  }

  private targetOf(pod: Pod): PodRef | undefined {
    if (!isStaticPod(pod)) return { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid };
    return this.deps.mirrorPodFor?.(pod);
  }
}
