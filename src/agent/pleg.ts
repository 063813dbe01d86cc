// PLEG (pod lifecycle event generator): relists the runtime every period and tells the pod
// workers which pods changed, as upstream's generic PLEG. The diff is pure (changedPods); the
// relist loop is thin. containerd 1.6 has no container events, so the relist is the only source.
import type { Clock } from '../base/clock.js';
import { ErrorCode, errorMessage, isNodeletError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { PodRuntimeState } from './runtime-state.js';

/** A fingerprint of what matters for a pod's status: sandboxes and containers with their states. */
export function podFingerprint(pod: PodRuntimeState): string {
  const sandboxes = pod.sandboxes.map((s) => `${s.id}:${s.ready ? 'r' : 'n'}:${s.ips.join(',')}`);
  const containers = pod.containers.map((c) => `${c.id}:${c.state}`);
  return [...sandboxes.sort(), '|', ...containers.sort()].join(';');
}

/** Uids whose runtime state differs between two relists (appeared, changed or disappeared). */
export function changedPods(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const changed: string[] = [];
  for (const [uid, print] of after) if (before.get(uid) !== print) changed.push(uid);
  for (const uid of before.keys()) if (!after.has(uid)) changed.push(uid);
  return changed;
}

export interface PlegDeps {
  readAll(signal?: AbortSignal): Promise<Map<string, PodRuntimeState>>;
  clock: Clock;
  log: Logger;
  /** Called with the uids that changed, and with every relist's full state. */
  onChange(uids: string[], state: ReadonlyMap<string, PodRuntimeState>): void;
  periodMs?: number;
}

export class Pleg {
  private prints = new Map<string, string>();
  private lastRelist = 0;
  private failures = 0;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly deps: PlegDeps) {}

  /** Time of the last successful relist (ms); the node's health check uses it. */
  get lastRelistMs(): number {
    return this.lastRelist;
  }

  /** One relist at a time (the timer and container events both ask): overlapping ones would race on `prints`. */
  relist(signal?: AbortSignal): Promise<void> {
    this.inFlight ??= this.relistOnce(signal).finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async relistOnce(signal?: AbortSignal): Promise<void> {
    const state = await this.deps.readAll(signal);
    const prints = new Map<string, string>();
    for (const [uid, pod] of state) prints.set(uid, podFingerprint(pod));
    const changed = changedPods(this.prints, prints);
    this.prints = prints;
    this.lastRelist = this.deps.clock.now();
    this.deps.onChange(changed, state);
  }

  /**
   * Follows the runtime's container events (evented PLEG): each event triggers a relist at once,
   * coalesced, so status follows the runtime without waiting for the period. Resolves when the
   * runtime has no events (Unimplemented, e.g. containerd 1.6: the periodic relist then carries
   * everything) or the signal aborts; reconnects after other failures.
   */
  async followEvents(events: (signal: AbortSignal) => AsyncIterable<unknown>, signal: AbortSignal): Promise<void> {
    let relisting: Promise<void> | undefined;
    let again = false;
    const kick = (): void => {
      if (relisting !== undefined) {
        again = true;
        return;
      }
      relisting = (async () => {
        do {
          again = false;
          await this.relist(signal).catch(() => undefined);
        } while (again && !signal.aborted);
      })().finally(() => (relisting = undefined));
    };
    while (!signal.aborted) {
      try {
        for await (const _event of events(signal)) kick();
      } catch (err) {
        if (signal.aborted) return;
        if (isNodeletError(err, ErrorCode.Unimplemented)) {
          this.deps.log.info('the runtime has no container events; relisting every period');
          return;
        }
        this.deps.log.warn('container event stream failed; reconnecting', { error: errorMessage(err) });
      }
      await this.deps.clock.sleep(this.deps.periodMs ?? 1000, signal).catch(() => undefined);
    }
  }

  /** Relists every period until the signal aborts; failures are logged and retried next period. */
  async run(signal: AbortSignal): Promise<void> {
    const period = this.deps.periodMs ?? 1000;
    while (!signal.aborted) {
      try {
        await this.relist(signal);
        if (this.failures > 0) this.deps.log.info('PLEG relist recovered', { after: this.failures });
        this.failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (this.failures++ % 30 === 0) this.deps.log.warn('PLEG relist failed', { error: errorMessage(err) });
      }
      try {
        await this.deps.clock.sleep(period, signal);
      } catch {
        break;
      }
    }
  }
}
