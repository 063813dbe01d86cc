// `nodelet agent` flags, upstream kubelet's names. Flags that the KubeletConfiguration file can
// also set have no commander default, so that "not given" lets the file's value through.
// --register-node takes an optional value: bare it is true, --register-node=false gives "false".
import type { Command } from 'commander';
import { AGENT_DEFAULTS, LOG_LEVELS } from './agent-config.js';

/** Registers the agent's flags on `cmd`; pass `cmd.opts()` to loadAgentConfig. Returns `cmd`. */
export function addAgentOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'KubeletConfiguration file (kubelet.config.k8s.io/v1beta1, YAML or JSON); flags override it')
    .option('--kubeconfig <file>', 'kubeconfig to reach the apiserver; without it the agent runs standalone (static pods only)')
    .option('--hostname-override <name>', 'the Node name instead of the host name')
    .option('--node-ip <ip>', 'the Node\'s InternalIP (default: the first non-loopback IPv4 of the host)')
    .option('--root-dir <dir>', 'state directory (pod volumes, plugins)', AGENT_DEFAULTS.rootDir)
    .option('--container-runtime-endpoint <endpoint>', `CRI socket (default ${AGENT_DEFAULTS.runtimeEndpoint})`)
    .option('--pod-manifest-path <dir>', 'directory of static pod manifests (the file\'s staticPodPath)')
    .option('--pod-logs-dir <dir>', `container logs directory (default ${AGENT_DEFAULTS.podLogsDir})`)
    .option('--register-node [bool]', 'register the Node with the apiserver (default true); --register-node=false to not')
    .option('--log-format <format>', 'text or json (default: text on a terminal, else json)')
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, AGENT_DEFAULTS.logLevel);
}
