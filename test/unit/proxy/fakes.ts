// Fakes for the proxy's unit tests: a clock whose timers fire when the test advances it, a
// recording RuleBackend, a recording Exec, and builders of tracker objects.
import winston from 'winston';
import type { Clock } from '../../../src/base/clock.js';
import type { Exec, ExecOptions, ExecResult } from '../../../src/base/exec.js';
import type { Logger } from '../../../src/base/log.js';
import type { TrackedService, TrackedSlice, SliceEndpoint } from '../../../src/proxy/tracker/types.js';
import type { Endpoint, ProxyPlan, RuleBackend, ServicePort } from '../../../src/proxy/types.js';

export const silentLog: Logger = winston.createLogger({ silent: true });

export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Timer {
  at: number;
  resolve: () => void;
}

export class ManualClock implements Clock {
  nowMs = Date.parse('2026-11-29T07:00:00Z');
  private timers: Timer[] = [];

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const timer: Timer = { at: this.nowMs + ms, resolve: () => resolve() };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((t) => t !== timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in time order and letting their work run. */
  async advance(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    await flush();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > target) break;
      this.timers.shift();
      this.nowMs = next.at;
      next.resolve();
      await flush();
      await flush();
    }
    this.nowMs = target;
    await flush();
    await flush();
  }
}

export class FakeBackend implements RuleBackend {
  readonly mode = 'iptables' as const;
  readonly plans: ProxyPlan[] = [];
  readonly applied: string[] = [];
  /** Errors to throw from apply, first in first out. */
  failures: Error[] = [];
  canary = true;
  canaryChecks = 0;
  cleanups = 0;

  render(plan: ProxyPlan): string {
    this.plans.push(plan);
    return JSON.stringify({ full: plan.changed === undefined, services: plan.services.map((s) => s.svc.key) });
  }

  apply(text: string): Promise<void> {
    const err = this.failures.shift();
    if (err !== undefined) return Promise.reject(err);
    this.applied.push(text);
    return Promise.resolve();
  }

  cleanup(): Promise<void> {
    this.cleanups++;
    return Promise.resolve();
  }

  canaryPresent(): Promise<boolean> {
    this.canaryChecks++;
    return Promise.resolve(this.canary);
  }
}

export class RecordingExec implements Exec {
  readonly calls: Array<{ file: string; args: string[] }> = [];
  result: ExecResult = { stdout: '', stderr: '', code: 0, signal: null };

  run(file: string, args: readonly string[], _opts?: ExecOptions): Promise<ExecResult> {
    this.calls.push({ file, args: [...args] });
    return Promise.resolve(this.result);
  }
}

/** A ServicePort with defaults (the proxy tests' fixtures build on it). */
export function svcPort(over: Partial<ServicePort> & { namespace?: string; name?: string; portName?: string; protocol?: ServicePort['key']['protocol'] } = {}): ServicePort {
  const { namespace = 'default', name = 'web', portName = 'http', protocol = 'TCP', ...rest } = over;
  return {
    key: { namespace, name, port: portName, protocol },
    clusterIP: '10.96.0.10',
    port: 80,
    nodePort: 0,
    externalIPs: [],
    loadBalancerIPs: [],
    loadBalancerSourceRanges: [],
    affinityTimeoutSeconds: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    type: 'ClusterIP',
    ...rest,
  };
}

export function ep(ip: string, over: Partial<Endpoint> = {}): Endpoint {
  return { ip, port: 8080, ready: true, serving: true, terminating: false, isLocal: false, ...over };
}

export function trackedService(name: string, ports: ServicePort[]): TrackedService {
  return { namespace: 'default', name, ports };
}

export function slice(serviceName: string, name: string, endpoints: SliceEndpoint[], ports: TrackedSlice['ports'] = [{ name: 'http', protocol: 'TCP', port: 8080 }]): TrackedSlice {
  return { namespace: 'default', name, serviceName, ports, endpoints };
}

export function sep(ip: string, over: Partial<SliceEndpoint> = {}): SliceEndpoint {
  return { ip, ready: true, serving: true, terminating: false, ...over };
}
