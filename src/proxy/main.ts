// `nodelet proxy`'s composition root: config -> KubeClient -> Service/EndpointSlice informers ->
// tracker -> proxier with the mode's RuleBackend, plus the healthz and metrics servers. Nothing
// else constructs parts. Stopping leaves the kernel rules in place (a restarted proxy takes over
// from them); `--cleanup` removes both modes' rules.
import os from 'node:os';
import { isIPv4 } from 'node:net';
import { loadKubeconfig } from '../api/client/kubeconfig.js';
import { createKubeClient } from '../api/client/rest-client.js';
import type { KubeClient } from '../api/client/types.js';
import { asJson, objectAt, objectsAt, stringAt } from '../api/json.js';
import { systemClock, type Clock } from '../base/clock.js';
import { ErrorCode, NodeletError, errorMessage } from '../base/errors.js';
import { systemExec, type Exec } from '../base/exec.js';
import { DisposableStore, toDisposable } from '../base/lifecycle.js';
import type { Logger } from '../base/log.js';
import { createIptablesBackend } from './backends/iptables/index.js';
import { createNftablesBackend } from './backends/nftables/index.js';
import type { ProxyConfig, ProxyMode } from './config.js';
import { ProxierHealth, startHealthzServer } from './healthz.js';
import { ProxyMetrics, startMetricsServer } from './metrics.js';
import { Proxier } from './proxier.js';
import { createProxyInformers } from './tracker/informers.js';
import { ProxyTracker } from './tracker/tracker.js';
import type { RuleBackend } from './types.js';

export interface RunningProxy {
  /** Stops the loops and servers; rules stay in place. */
  stop(): Promise<void>;
  /** Bound ports (undefined when the server is disabled). */
  readonly healthzPort: number | undefined;
  readonly metricsPort: number | undefined;
}

export function createBackend(mode: ProxyMode, deps: { exec: Exec; log: Logger }): RuleBackend {
  return mode === 'nftables' ? createNftablesBackend(deps) : createIptablesBackend(deps);
}

/** The Node's InternalIP addresses (IPv4), else the host's non-loopback IPv4 addresses. */
export async function discoverNodeIPs(deps: { client: KubeClient; log: Logger }, nodeName: string, bindAddress: string, signal?: AbortSignal): Promise<string[]> {
  if (isIPv4(bindAddress) && bindAddress !== '0.0.0.0') return [bindAddress];
  try {
    const node = await deps.client.get(`/api/v1/nodes/${encodeURIComponent(nodeName)}`, { timeoutMs: 10_000, ...(signal === undefined ? {} : { signal }) });
    const ips = objectsAt(objectAt(asJson(node), 'status'), 'addresses')
      .filter((a) => stringAt(a, 'type') === 'InternalIP')
      .map((a) => stringAt(a, 'address') ?? '')
      .filter((ip) => isIPv4(ip));
    if (ips.length > 0) return ips;
    deps.log.warn('the Node has no IPv4 InternalIP; using the host\'s addresses', { node: nodeName });
  } catch (err) {
    deps.log.warn('cannot read the Node; using the host\'s addresses', { node: nodeName, error: errorMessage(err) });
  }
  return hostIPv4s();
}

export function hostIPv4s(): string[] {
  const out: string[] = [];
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out.sort();
}

/** `nodelet proxy --cleanup`: removes both modes' rules; throws the first failure after trying both. */
export async function cleanupAll(deps: { exec: Exec; log: Logger }, signal?: AbortSignal): Promise<void> {
  const errors: unknown[] = [];
  for (const mode of ['iptables', 'nftables'] as const) {
    try {
      await createBackend(mode, deps).cleanup(signal);
      deps.log.info('removed proxy rules', { mode });
    } catch (err) {
      deps.log.error('cleanup failed', { mode, error: errorMessage(err) });
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors[0];
}

export async function runProxy(config: ProxyConfig, log: Logger, env: { clock?: Clock; exec?: Exec } = {}): Promise<RunningProxy> {
  const clock = env.clock ?? systemClock;
  const exec = env.exec ?? systemExec;
  if (config.kubeconfig === undefined) {
    throw new NodeletError(ErrorCode.InvalidConfig, 'no kubeconfig: give --kubeconfig or clientConnection.kubeconfig in the config file');
  }
  for (const field of config.notApplied) log.warn('KubeProxyConfiguration field is accepted but not applied by nodelet', { field });
  const store = new DisposableStore();
  try {
    const client = createKubeClient({ credentials: await loadKubeconfig(config.kubeconfig), userAgent: 'nodelet-proxy' });
    store.add(toDisposable(() => client.close()));
    const nodeIPs = await discoverNodeIPs({ client, log }, config.nodeName, config.bindAddress);
    log.info('starting proxy', { mode: config.mode, node: config.nodeName, nodeIPs, clusterCIDR: config.clusterCIDR });

    // Rules of the other mode would also capture service traffic: remove them, as upstream does.
    const other: ProxyMode = config.mode === 'iptables' ? 'nftables' : 'iptables';
    await createBackend(other, { exec, log }).cleanup().catch((err: unknown) => log.warn('cannot remove the other mode\'s rules', { mode: other, error: errorMessage(err) }));

    const backend = createBackend(config.mode, { exec, log });
    const metrics = new ProxyMetrics(config.mode);
    const health = new ProxierHealth({ clock, timeoutMs: 2 * config.syncPeriodMs });
    const healthz = config.healthzBindAddress === '' ? undefined : store.add(await startHealthzServer({ bindAddress: config.healthzBindAddress, health, log }));
    const metricsServer =
      config.metricsBindAddress === '' ? undefined : store.add(await startMetricsServer({ bindAddress: config.metricsBindAddress, metrics, mode: config.mode, log }));

    // The tracker calls onChange only for informer events, which start after the proxier exists.
    const tracker = new ProxyTracker({ nodeName: config.nodeName, onChange: () => proxier.requestSync(), startTimeMs: clock.now() });
    const informers = store.add(createProxyInformers({ client, clock, log, tracker }));
    const proxier = store.add(
      new Proxier(
        { backend, exec, clock, log, metrics, source: tracker, health },
        { nodeIPs, clusterCIDR: config.clusterCIDR, minSyncPeriodMs: config.minSyncPeriodMs, syncPeriodMs: config.syncPeriodMs },
      ),
    );
    informers.start();
    await informers.waitForSync();
    proxier.start();
    return { stop: () => store.dispose(), healthzPort: healthz?.port, metricsPort: metricsServer?.port };
  } catch (err) {
    await store.dispose().catch(() => undefined);
    throw err;
  }
}
