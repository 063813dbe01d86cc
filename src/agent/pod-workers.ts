// One worker per pod UID (upstream pod_workers.go). Updates only record the newest pod and ask
// for a pass; a worker runs at most one pass at a time, so every pod has one operation in flight.
//
// Timeline of a pod, and the invariants each phase keeps:
//   syncing      the pod should run: each pass makes the runtime match the spec (PodSync.sync) and
//                reports status. Leaves when the pod is deleted (deletionTimestamp), removed from
//                its source, finished (restart policy says no more runs), failed an init container
//                for good, or outlived activeDeadlineSeconds.
//   terminating  stop every container with the grace period, then the sandbox; report the final
//                status. Runs once per pass until it succeeds.
//   terminated   nothing runs. The pod's final status is reported (the status manager confirms a
//                deletion to the apiserver). When the pod leaves its source, its leftovers are
//                removed (containers, sandbox, volumes, logs) and the worker ends.
import type { Clock } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { Pod } from '../api/pod-types.js';
import { podFinished } from './pod-actions.js';
import { gracePeriodSeconds, type PodSync } from './pod-sync.js';
import type { PodRuntimeState } from './runtime-state.js';

/** Why a retry timer is dropped (replaced or no longer needed); fixed, so no DOMException is built. */
const TIMER_DONE = Object.freeze({ timerDone: true });

export interface PodFacts {
  waiting: Map<string, { reason: string; message?: string }>;
  podFailure?: { reason: string; message: string };
  /** The worker stopped the pod for good: its containers will not run again. */
  terminal?: boolean;
}

/** Where worker results go; main.ts turns them into PodStatus for the status manager. */
export interface PodStatusSink {
  update(pod: Pod, runtime: PodRuntimeState | undefined, facts: PodFacts): void;
  /** Everything of the pod has stopped and its final status was given to update(). */
  terminated(pod: Pod): void;
  /** The pod left the agent for good. */
  removed(uid: string): void;
}

type Phase = 'syncing' | 'terminating' | 'terminated';

interface Worker {
  uid: string;
  pod: Pod | undefined;
  removed: boolean;
  phase: Phase;
  pending: boolean;
  /** PLEG saw the pod change since the last pass: the reader has just read it, no need to read again. */
  runtimeKicked: boolean;
  running: boolean;
  failures: number;
  firstSeenMs: number;
  podFailure?: { reason: string; message: string };
  lastRuntime?: PodRuntimeState;
  timer?: AbortController;
  /** Aborts a sync in flight when the pod is deleted or removed (a long pull must not delay the kill). */
  cancel: AbortController;
}

export interface PodWorkersDeps {
  sync: Pick<PodSync, 'sync' | 'kill' | 'cleanup'>;
  status: PodStatusSink;
  clock: Clock;
  log: Logger;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly stop = new AbortController();
  private readonly idle = new Set<() => void>();

  constructor(private readonly deps: PodWorkersDeps) {}

  /** The newest spec of a pod from its source. */
  setPod(pod: Pod): void {
    const uid = pod.metadata.uid;
    let w = this.workers.get(uid);
    if (w === undefined) {
      w = { uid, pod, removed: false, phase: 'syncing', pending: false, runtimeKicked: false, running: false, failures: 0, firstSeenMs: this.deps.clock.now(), cancel: new AbortController() };
      this.workers.set(uid, w);
    }
    if (pod.metadata.deletionTimestamp !== undefined && w.pod?.metadata.deletionTimestamp === undefined) w.cancel.abort();
    w.pod = pod;
    w.removed = false;
    this.kick(w);
  }

  /** The pod left its source: terminate it (if it runs) and clean up. */
  removePod(uid: string): void {
    const w = this.workers.get(uid);
    if (w === undefined) return;
    w.removed = true;
    w.cancel.abort();
    this.kick(w);
  }

  /** Something changed in the runtime for this uid; an unknown uid is an orphan when `orphansKnown`. */
  runtimeChanged(uid: string, orphansKnown: boolean): void {
    const w = this.workers.get(uid);
    if (w !== undefined) {
      w.runtimeKicked = true;
      this.kick(w);
      return;
    }
    if (!orphansKnown) return;
    const orphan: Worker = { uid, pod: undefined, removed: true, phase: 'terminated', pending: false, runtimeKicked: false, running: false, failures: 0, firstSeenMs: this.deps.clock.now(), cancel: new AbortController() };
    this.workers.set(uid, orphan);
    this.kick(orphan);
  }

  /** Asks every worker for a pass (the periodic resync). */
  resyncAll(): void {
    for (const w of this.workers.values()) this.kick(w);
  }

  knows(uid: string): boolean {
    return this.workers.has(uid);
  }

  uids(): string[] {
    return [...this.workers.keys()];
  }

  /** Resolves when no worker is running a pass (tests and shutdown). */
  async settled(): Promise<void> {
    while ([...this.workers.values()].some((w) => w.running)) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  dispose(): void {
    this.stop.abort();
    for (const w of this.workers.values()) w.timer?.abort(TIMER_DONE);
  }

  private kick(w: Worker): void {
    w.pending = true;
    if (!w.running) void this.run(w);
  }

  private retryLater(w: Worker, ms: number): void {
    w.timer?.abort(TIMER_DONE);
    const timer = new AbortController();
    w.timer = timer;
    const signal = AbortSignal.any([timer.signal, this.stop.signal]);
    this.deps.clock.sleep(ms, signal).then(
      () => this.kick(w),
      () => undefined,
    );
  }

  private async run(w: Worker): Promise<void> {
    w.running = true;
    try {
      while (w.pending && !this.stop.signal.aborted) {
        w.pending = false;
        const runtimeKicked = w.runtimeKicked;
        w.runtimeKicked = false;
        try {
          const again = await this.pass(w, this.stop.signal, runtimeKicked);
          w.failures = 0;
          if (again !== undefined) this.retryLater(w, again);
        } catch (err) {
          if (this.stop.signal.aborted) break;
          if (w.cancel.signal.aborted) continue; // the pod was deleted mid-sync: the next pass terminates it
          const delay = Math.min(1000 * 2 ** w.failures, 30_000);
          w.failures++;
          this.deps.log.warn('pod sync failed; retrying', { uid: w.uid, pod: w.pod === undefined ? '' : `${w.pod.metadata.namespace}/${w.pod.metadata.name}`, error: errorMessage(err), retryInMs: delay });
          this.retryLater(w, delay);
        }
      }
    } finally {
      w.running = false;
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }

  /** One pass; resolves with the delay before another pass is needed (undefined: only on events). */
  private async pass(w: Worker, signal: AbortSignal, runtimeKicked: boolean): Promise<number | undefined> {
    const pod = w.pod;
    const { sync, status } = this.deps;
    if (w.phase === 'syncing' && pod !== undefined) {
      const deadline = this.deadlineLeftMs(w, pod);
      if (deadline !== undefined && deadline <= 0) {
        w.podFailure = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
      }
      if (w.removed || pod.metadata.deletionTimestamp !== undefined || w.podFailure !== undefined) {
        w.phase = 'terminating';
      } else {
        if (w.cancel.signal.aborted) w.cancel = new AbortController();
        const result = await sync.sync(pod, AbortSignal.any([signal, w.cancel.signal]), { cachedRuntime: runtimeKicked });
        w.lastRuntime = result.runtime;
        // An init container that failed under restartPolicy Never fails the pod (the status says so from the runtime state).
        status.update(pod, result.runtime, { waiting: result.waiting });
        if (result.initFailed !== undefined || podFinished(pod, result.runtime)) {
          w.phase = 'terminating';
        } else {
          const next = [result.retryInMs, deadline].filter((v): v is number => v !== undefined && v > 0);
          return next.length === 0 ? undefined : Math.min(...next);
        }
      }
    }
    if (w.phase === 'terminating' && pod !== undefined) {
      const runtime = await sync.kill(pod, gracePeriodSeconds(pod), signal);
      w.lastRuntime = runtime;
      status.update(pod, runtime, { waiting: new Map(), terminal: true, ...(w.podFailure === undefined ? {} : { podFailure: w.podFailure }) });
      w.phase = 'terminated';
      status.terminated(pod);
    } else if (w.phase === 'terminated' && pod !== undefined && !w.removed) {
      // A later update of a finished pod (e.g. its deletion): the final status stands; confirm again.
      status.terminated(pod);
    }
    if (w.phase === 'terminated' && w.removed) {
      await sync.cleanup(w.uid, pod, signal);
      this.workers.delete(w.uid);
      w.timer?.abort(TIMER_DONE);
      status.removed(w.uid);
    }
    return undefined;
  }

  /** Milliseconds until activeDeadlineSeconds runs out (undefined when the pod has none). */
  private deadlineLeftMs(w: Worker, pod: Pod): number | undefined {
    const limit = pod.spec.activeDeadlineSeconds;
    if (limit === undefined) return undefined;
    const start = pod.status?.startTime !== undefined ? Date.parse(pod.status.startTime) : w.firstSeenMs;
    return start + limit * 1000 - this.deps.clock.now();
  }
}
