// The agent's event recorder, as client-go's record.EventRecorder for the kubelet: event() never
// blocks; a single writer drains a bounded queue (oldest dropped past 1000), creating core/v1
// Events or, for a repeat within 10 minutes, updating the existing one's count and lastTimestamp
// (see correlator.ts). Failed writes are retried a few times with back-off, then dropped, as
// upstream: events are best effort. Without a client (standalone) events are only logged.
import type { KubeClient } from '../../api/client/types.js';
import type { KubeObject } from '../../api/object.js';
import { backoffDelay } from '../../base/backoff.js';
import type { Clock } from '../../base/clock.js';
import { ErrorCode, errorMessage, isNodeletError } from '../../base/errors.js';
import type { Disposable } from '../../base/lifecycle.js';
import type { Logger } from '../../base/log.js';
import { msToRfc3339 } from '../status/time.js';
import { EventCorrelator, type CorrelatedEvent, type CorrelatorOptions, type WrittenEvent } from './correlator.js';
import type { EventSpec, EventType } from './reasons.js';
import type { InvolvedObject } from './refs.js';

export interface EventRecorderDeps {
  client?: KubeClient;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  nodeName: string;
  /** source.component and reportingComponent; 'kubelet' as upstream (tools key on it). */
  component?: string;
  correlator?: CorrelatorOptions;
}

export const MAX_QUEUED_EVENTS = 1000;
const WRITE_ATTEMPTS = 3;
const RETRY = { initialMs: 1000, maxMs: 10_000 };

export class EventRecorder implements Disposable {
  private readonly queue: CorrelatedEvent[] = [];
  private readonly correlator: EventCorrelator;
  private readonly stop = new AbortController();
  private draining: Promise<void> | undefined;
  private seq = 0;
  private dropped = 0;

  constructor(private readonly deps: EventRecorderDeps) {
    this.correlator = new EventCorrelator(deps.correlator);
  }

  /** Records an event; returns at once. */
  event(involved: InvolvedObject, type: EventType, reason: string, message: string): void {
    const at = this.deps.clock.now();
    this.deps.log.debug('event', { object: `${involved.kind}/${involved.namespace}/${involved.name}`, fieldPath: involved.fieldPath, type, reason, message });
    if (this.deps.client === undefined || this.stop.signal.aborted) return;
    if (this.queue.length >= MAX_QUEUED_EVENTS) {
      this.queue.shift();
      if (this.dropped++ % 100 === 0) this.deps.log.warn('event queue full; dropping the oldest events', { dropped: this.dropped });
    }
    this.queue.push({ involved: { ...involved }, type, reason, message, at });
    this.draining ??= this.drain(this.deps.client).finally(() => {
      this.draining = undefined;
    });
  }

  record(involved: InvolvedObject, spec: EventSpec): void {
    this.event(involved, spec.type, spec.reason, spec.message);
  }

  /** Resolves once every event queued so far has been written or dropped. */
  async flush(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  /** Stops writing; queued events are dropped. */
  async dispose(): Promise<void> {
    this.stop.abort();
    this.queue.length = 0;
    await this.draining;
  }

  private async drain(client: KubeClient): Promise<void> {
    for (let e = this.queue.shift(); e !== undefined && !this.stop.signal.aborted; e = this.queue.shift()) {
      await this.write(client, e);
    }
  }

  private async write(client: KubeClient, e: CorrelatedEvent): Promise<void> {
    const decision = this.correlator.decide(e);
    if (decision.action === 'drop') {
      this.deps.log.debug('event dropped by the spam filter', { object: `${e.involved.namespace}/${e.involved.name}`, reason: e.reason });
      return;
    }
    const written: WrittenEvent =
      decision.action === 'update'
        ? { ...decision.previous, count: decision.previous.count + 1, lastMs: e.at }
        : { name: this.newName(e), namespace: e.involved.namespace === '' ? 'default' : e.involved.namespace, count: 1, firstMs: e.at, lastMs: e.at };
    const base = `/api/v1/namespaces/${encodeURIComponent(written.namespace)}/events`;
    for (let attempt = 0; ; attempt++) {
      try {
        let update = decision.action === 'update';
        if (update) {
          try {
            await client.patch(`${base}/${encodeURIComponent(written.name)}`, 'merge', { count: written.count, lastTimestamp: msToRfc3339(written.lastMs) }, { signal: this.stop.signal });
          } catch (err) {
            // Someone deleted it (events expire): write it anew with the aggregated count.
            if (!isNodeletError(err, ErrorCode.NotFound)) throw err;
            update = false;
          }
        }
        if (!update) await client.create(base, this.eventObject(e, written), { signal: this.stop.signal });
        this.correlator.wrote(e, written);
        return;
      } catch (err) {
        if (this.stop.signal.aborted) return;
        if (attempt + 1 >= WRITE_ATTEMPTS || !retryable(err)) {
          this.deps.log.warn('failed to write event; dropped', { object: `${e.involved.namespace}/${e.involved.name}`, reason: e.reason, error: errorMessage(err) });
          return;
        }
        try {
          await this.deps.clock.sleep(backoffDelay(attempt, RETRY), this.stop.signal);
        } catch {
          return;
        }
      }
    }
  }

  /** `<involved name>.<16 hex digits>`: upstream uses the event time in nanoseconds. */
  private newName(e: CorrelatedEvent): string {
    const nanos = BigInt(e.at) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return `${e.involved.name}.${nanos.toString(16).padStart(16, '0')}`;
  }

  private eventObject(e: CorrelatedEvent, w: WrittenEvent): KubeObject {
    const component = this.deps.component ?? 'kubelet';
    const involved: Record<string, string> = {
      kind: e.involved.kind,
      namespace: e.involved.namespace,
      name: e.involved.name,
      uid: e.involved.uid,
      apiVersion: e.involved.apiVersion,
    };
    if (e.involved.resourceVersion !== undefined) involved.resourceVersion = e.involved.resourceVersion;
    if (e.involved.fieldPath !== undefined) involved.fieldPath = e.involved.fieldPath;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: w.name, namespace: w.namespace },
      involvedObject: involved,
      reason: e.reason,
      message: e.message,
      source: { component, host: this.deps.nodeName },
      firstTimestamp: msToRfc3339(w.firstMs),
      lastTimestamp: msToRfc3339(w.lastMs),
      count: w.count,
      type: e.type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: this.deps.nodeName,
    };
  }
}

function retryable(err: unknown): boolean {
  return isNodeletError(err, ErrorCode.Unavailable) || isNodeletError(err, ErrorCode.DeadlineExceeded) || !isNodeletError(err);
}
