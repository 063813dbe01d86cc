// kube-proxy's metrics with upstream's names (pkg/proxy/metrics), written in the Prometheus text
// format by hand: a few counters, gauges and histograms do not need a client library.
import http from 'node:http';
import type { Logger } from '../base/log.js';
import { listenHttp, type HttpEndpoint } from './healthz.js';

function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * Math.pow(factor, i));
}

function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

function formatNumber(v: number): string {
  if (v === Infinity) return '+Inf';
  return String(v);
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private value = 0;
  constructor(readonly name: string, private readonly help: string) {}
  inc(by = 1): void {
    this.value += by;
  }
  get(): number {
    return this.value;
  }
  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n${this.name} ${formatNumber(this.value)}\n`;
  }
}

export class Gauge implements Metric {
  private value = 0;
  constructor(readonly name: string, private readonly help: string) {}
  set(v: number): void {
    this.value = v;
  }
  get(): number {
    return this.value;
  }
  render(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} gauge\n${this.name} ${formatNumber(this.value)}\n`;
  }
}

export class Histogram implements Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, private readonly help: string, private readonly buckets: readonly number[]) {
    this.counts = buckets.map(() => 0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count += 1;
    for (const [i, le] of this.buckets.entries()) if (v <= le) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }
  getCount(): number {
    return this.count;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [i, le] of this.buckets.entries()) lines.push(`${this.name}_bucket{le="${formatNumber(le)}"} ${this.counts[i] ?? 0}`);
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${formatNumber(this.sum)}`, `${this.name}_count ${this.count}`);
    return `${lines.join('\n')}\n`;
  }
}

const SYNC_BUCKETS = exponentialBuckets(0.001, 2, 15);
// Upstream: MergeBuckets(Linear(0.25, 0.25, 2), Linear(1, 1, 59), Linear(60, 5, 12), Linear(120, 30, 7)).
const PROGRAMMING_BUCKETS = [...new Set([...linearBuckets(0.25, 0.25, 2), ...linearBuckets(1, 1, 59), ...linearBuckets(60, 5, 12), ...linearBuckets(120, 30, 7)])].sort(
  (a, b) => a - b,
);

export class ProxyMetrics {
  readonly syncDuration = new Histogram('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds', SYNC_BUCKETS);
  readonly syncFullDuration = new Histogram('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs', SYNC_BUCKETS);
  readonly syncPartialDuration = new Histogram('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs', SYNC_BUCKETS);
  readonly networkProgramming = new Histogram('kubeproxy_network_programming_duration_seconds', 'In Cluster Network Programming Latency in seconds', PROGRAMMING_BUCKETS);
  readonly lastTimestamp = new Gauge('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'The last time proxy rules were successfully synced');
  readonly lastQueuedTimestamp = new Gauge('kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', 'The last time a sync of proxy rules was queued');
  readonly serviceChanges = new Counter('kubeproxy_sync_proxy_rules_service_changes_total', 'Cumulative proxy rules Service changes');
  readonly endpointChanges = new Counter('kubeproxy_sync_proxy_rules_endpoint_changes_total', 'Cumulative proxy rules Endpoint changes');
  readonly restoreFailures: Counter;

  constructor(mode: 'iptables' | 'nftables') {
    this.restoreFailures =
      mode === 'iptables'
        ? new Counter('kubeproxy_sync_proxy_rules_iptables_restore_failures_total', 'Cumulative proxy iptables restore failures')
        : new Counter('kubeproxy_sync_proxy_rules_nftables_sync_failures_total', 'Cumulative proxy nftables sync failures');
  }

  render(): string {
    const all: Metric[] = [
      this.networkProgramming, this.syncDuration, this.syncFullDuration, this.syncPartialDuration, this.endpointChanges,
      this.restoreFailures, this.lastQueuedTimestamp, this.lastTimestamp, this.serviceChanges,
    ];
    return all.map((m) => m.render()).join('');
  }
}

/** Serves /metrics (Prometheus text) and /proxyMode (as upstream's metrics server) on `bindAddress` (host:port). */
export function startMetricsServer(deps: { bindAddress: string; metrics: ProxyMetrics; mode: string; log: Logger }): Promise<HttpEndpoint> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(deps.metrics.render());
    } else if (path === '/proxyMode') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(deps.mode);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
    }
  });
  return listenHttp(server, deps.bindAddress, 'metrics', deps.log);
}
