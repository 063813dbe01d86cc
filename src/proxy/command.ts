// `nodelet proxy` (kube-proxy): flags and KubeProxyConfiguration are validated before anything
// starts (a bad setting is a clear error and exit 2); SIGTERM/SIGINT stop the loops and leave the
// rules in place; --cleanup removes both modes' rules and exits.
import type { Command } from 'commander';
import { errorMessage, isNodeletError } from '../base/errors.js';
import { createLogger } from '../base/log.js';
import { LOG_LEVELS, PROXY_DEFAULTS, loadProxyConfig, type ProxyConfig } from './config.js';

export function addProxyOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'KubeProxyConfiguration file (kubeproxy.config.k8s.io/v1alpha1, YAML or JSON); flags override it')
    .option('--kubeconfig <file>', 'kubeconfig to reach the apiserver')
    .option('--proxy-mode <mode>', `iptables or nftables (default ${PROXY_DEFAULTS.mode})`)
    .option('--hostname-override <name>', 'the Node name instead of the host name')
    .option('--cluster-cidr <cidr>', 'the pods\' CIDR: traffic to Service IPs from outside it is masqueraded')
    .option('--bind-address <ip>', `the node IP to use for NodePorts when not ${PROXY_DEFAULTS.bindAddress}`)
    .option('--healthz-bind-address <host:port>', `health server address, empty to disable (default ${PROXY_DEFAULTS.healthzBindAddress})`)
    .option('--metrics-bind-address <host:port>', `metrics server address, empty to disable (default ${PROXY_DEFAULTS.metricsBindAddress})`)
    .option('--iptables-sync-period <duration>', 'at least this often a full sync (default 30s)')
    .option('--iptables-min-sync-period <duration>', 'at most one sync per this period (default 1s)')
    .option('--nftables-sync-period <duration>', 'at least this often a full sync (default 30s)')
    .option('--nftables-min-sync-period <duration>', 'at most one sync per this period (default 1s)')
    .option('--cleanup', 'remove every rule the proxy created (both modes) and exit')
    .option('--log-format <format>', 'text or json (default: text on a terminal, else json)')
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, PROXY_DEFAULTS.logLevel);
}

export function registerProxyCommand(program: Command): Command {
  const cmd = program.command('proxy').description('Run the network proxy (kube-proxy): Services and EndpointSlices to iptables or nftables rules');
  addProxyOptions(cmd);
  return cmd.action(async (opts: unknown) => {
    let config: ProxyConfig;
    try {
      config = await loadProxyConfig(opts);
    } catch (err) {
      process.stderr.write(`nodelet proxy: ${errorMessage(err)}\n`);
      process.exitCode = isNodeletError(err, 'InvalidConfig') ? 2 : 1;
      return;
    }
    const log = createLogger({ level: config.logLevel, ...(config.logFormat === undefined ? {} : { format: config.logFormat }) });
    // Loaded here so that other subcommands do not carry the proxy's modules in memory.
    const { cleanupAll, runProxy } = await import('./main.js');
    const { systemExec } = await import('../base/exec.js');
    if (config.cleanup) {
      try {
        await cleanupAll({ exec: systemExec, log });
        process.exitCode = 0;
      } catch {
        process.exitCode = 1;
      }
      return;
    }
    let running;
    try {
      running = await runProxy(config, log);
    } catch (err) {
      log.error('proxy failed to start', { error: errorMessage(err) });
      process.exitCode = isNodeletError(err, 'InvalidConfig') ? 2 : 1;
      return;
    }
    const proxy = running;
    await new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        log.info('stopping; rules stay in place', { signal: sig });
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        void proxy.stop().finally(resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  });
}
