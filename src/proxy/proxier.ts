// The sync loop (upstream's iptables/nftables Proxier without the rule text): handlers only record
// changes and call requestSync(); a level-triggered loop syncs from the full tracker state, at most
// once per minSyncPeriod (requests coalesce), at least once per syncPeriod. A sync is full on the
// first run, after a failed apply, when the last full sync is a syncPeriod old, and when the
// backend's canary is gone (checked by a partial sync at most every CANARY_CHECK_MS: each check is
// one more iptables/nft run before the apply; upstream checks from a timer); otherwise it is partial, naming the service ports changed since the
// last successful sync. Each sync is one backend.apply. After a failure the sync is retried with
// back-off (minSyncPeriod doubling up to syncPeriod). Stale UDP conntrack entries are deleted
// after a successful apply.
import { backoffDelay } from '../base/backoff.js';
import type { Clock } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import type { Exec } from '../base/exec.js';
import type { Disposable } from '../base/lifecycle.js';
import type { Logger } from '../base/log.js';
import { deleteStaleConntrack, staleConntrackDeletions } from './conntrack.js';
import type { ProxierHealthUpdater } from './healthz.js';
import type { ProxyMetrics } from './metrics.js';
import { buildPlan } from './plan.js';
import { sameState } from './tracker/merge.js';
import type { PortChange, ServicePortState, TrackerChanges } from './tracker/types.js';
import type { RuleBackend } from './types.js';

/** What the proxier reads from the tracker (ProxyTracker implements it). */
export interface ProxierSource {
  state(): Map<string, ServicePortState>;
  takeChanges(): TrackerChanges;
}

export interface ProxierDeps {
  backend: RuleBackend;
  exec: Exec;
  clock: Clock;
  log: Logger;
  metrics: ProxyMetrics;
  source: ProxierSource;
  health?: ProxierHealthUpdater;
}

export interface ProxierOptions {
  nodeIPs: readonly string[];
  clusterCIDR: string;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
}

/** How often partial syncs look for the canary (full syncs rewrite it anyway). */
export const CANARY_CHECK_MS = 10_000;

export type SyncOutcome = { ok: true; full: boolean } | { ok: false; full: boolean; error: unknown };

export class Proxier implements Disposable {
  private needFull = true;
  private lastFullMs = Number.NEGATIVE_INFINITY;
  private lastCanaryMs = Number.NEGATIVE_INFINITY;
  private lastSyncStartMs = Number.NEGATIVE_INFINITY;
  private requested = false;
  private failures = 0;
  private retryAtMs: number | undefined;
  /** Changes taken from the source but not yet applied successfully (oldest previous, newest current). */
  private pending = new Map<string, PortChange>();
  private pendingTriggers: number[] = [];
  private wake: AbortController | undefined;
  private readonly stop = new AbortController();
  private running: Promise<void> | undefined;
  private syncing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: ProxierDeps,
    private readonly opts: ProxierOptions,
  ) {}

  /** Something changed: sync soon (coalesced with other requests within minSyncPeriod). */
  requestSync(): void {
    this.requested = true;
    this.deps.health?.queued();
    this.deps.metrics.lastQueuedTimestamp.set(this.deps.clock.now() / 1000);
    this.wake?.abort();
  }

  /** Starts the loop; its first sync runs at once and is full. */
  start(): void {
    this.running ??= this.loop();
  }

  /** Runs one sync now (serialized with the loop's). Mainly for tests and benchmarks. */
  syncOnce(signal: AbortSignal = this.stop.signal): Promise<SyncOutcome> {
    const run = this.syncing.then(() => this.sync(signal));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /** Stops the loop after the sync in progress; rules stay in place. */
  async dispose(): Promise<void> {
    this.stop.abort();
    this.wake?.abort();
    await this.running;
    await this.syncing;
  }

  /** When the next sync is due (ms since the epoch). */
  nextSyncDueMs(): number {
    const earliest = this.lastSyncStartMs + this.opts.minSyncPeriodMs;
    // A retry after a failure (its back-off is at most syncPeriod), else the periodic full sync.
    let due = this.retryAtMs ?? this.lastFullMs + this.opts.syncPeriodMs;
    if (this.requested) due = Math.min(due, earliest);
    return Math.max(due, earliest);
  }

  private async loop(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      const wait = this.nextSyncDueMs() - this.deps.clock.now();
      if (wait > 0) {
        this.wake = new AbortController();
        try {
          // dispose() aborts the wake controller too (no AbortSignal.any on the long-lived signal).
          await this.deps.clock.sleep(wait, this.wake.signal);
        } catch {
          // woken by a request or stopped: recompute
        }
        this.wake = undefined;
        continue;
      }
      await this.syncOnce(signal);
    }
  }

  private absorb(changes: TrackerChanges): void {
    for (const [key, change] of changes.ports) {
      if (JSON.stringify(change.previous?.svc) !== JSON.stringify(change.current?.svc)) this.deps.metrics.serviceChanges.inc();
      if (!sameEndpoints(change.previous, change.current)) this.deps.metrics.endpointChanges.inc();
      const earlier = this.pending.get(key);
      const merged: PortChange = { previous: earlier === undefined ? change.previous : earlier.previous, current: change.current };
      if (earlier !== undefined && sameState(merged.previous, merged.current)) this.pending.delete(key);
      else this.pending.set(key, merged);
    }
    this.pendingTriggers.push(...changes.triggerTimesMs);
  }

  private async sync(signal: AbortSignal): Promise<SyncOutcome> {
    const { backend, clock, log, metrics } = this.deps;
    const start = clock.now();
    this.lastSyncStartMs = start;
    this.requested = false;
    this.absorb(this.deps.source.takeChanges());
    // Taken together with the changes, before any await, so the plan and `changed` agree.
    const state = this.deps.source.state();
    let full = this.needFull || start - this.lastFullMs >= this.opts.syncPeriodMs;
    if (!full && start - Math.max(this.lastCanaryMs, this.lastFullMs) >= CANARY_CHECK_MS) {
      this.lastCanaryMs = start;
      let present = false;
      try {
        present = await backend.canaryPresent(signal);
      } catch (err) {
        log.warn('cannot check the canary; doing a full sync', { error: errorMessage(err) });
      }
      if (!present) {
        log.info('proxy rules were flushed behind our back (canary missing); doing a full sync');
        full = true;
      }
    }
    if (!full && this.pending.size === 0) {
      // Requested, but the changes cancelled out before the sync: the kernel is already right.
      this.deps.health?.updated();
      return { ok: true, full };
    }
    const plan = buildPlan({
      services: state.values(),
      nodeIPs: this.opts.nodeIPs,
      clusterCIDR: this.opts.clusterCIDR,
      changed: full ? undefined : new Set(this.pending.keys()),
    });
    try {
      await backend.apply(backend.render(plan), signal);
    } catch (err) {
      if (signal.aborted) return { ok: false, full, error: err };
      this.needFull = true;
      this.failures++;
      const delay = backoffDelay(this.failures - 1, { initialMs: this.opts.minSyncPeriodMs, maxMs: this.opts.syncPeriodMs });
      this.retryAtMs = clock.now() + delay;
      metrics.restoreFailures.inc();
      log.error('sync of proxy rules failed; next sync is full', { mode: backend.mode, full, retryInMs: delay, error: errorMessage(err) });
      return { ok: false, full, error: err };
    }
    this.needFull = false;
    this.failures = 0;
    this.retryAtMs = undefined;
    if (full) this.lastFullMs = start;
    const applied = this.pending;
    const triggers = this.pendingTriggers;
    this.pending = new Map();
    this.pendingTriggers = [];
    const deletions = staleConntrackDeletions(applied);
    if (deletions.length > 0) await deleteStaleConntrack({ exec: this.deps.exec, log }, deletions, signal);

    const end = clock.now();
    const seconds = (end - start) / 1000;
    metrics.syncDuration.observe(seconds);
    (full ? metrics.syncFullDuration : metrics.syncPartialDuration).observe(seconds);
    metrics.lastTimestamp.set(end / 1000);
    for (const t of triggers) metrics.networkProgramming.observe(Math.max(0, end - t) / 1000);
    this.deps.health?.updated();
    if (this.requested) this.deps.health?.queued(); // a change arrived during this sync
    log.debug('synced proxy rules', { full, services: plan.services.length, changed: plan.changed?.size, ms: end - start });
    return { ok: true, full };
  }
}

function sameEndpoints(a: ServicePortState | undefined, b: ServicePortState | undefined): boolean {
  return JSON.stringify(a?.endpoints ?? []) === JSON.stringify(b?.endpoints ?? []);
}
