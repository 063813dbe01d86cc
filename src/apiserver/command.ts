// `nodelet apiserver`: its flags (upstream kube-apiserver's names where they exist) and the
// action that validates them and runs the server.
import { Command } from 'commander';
import { errorMessage, isNodeletError, ErrorCode } from '../base/errors.js';
import { createLogger } from '../base/log.js';
import { buildConfig, DEFAULTS, LOG_LEVELS, type ApiserverFlags } from './config.js';
import type { RunningApiserver } from './main.js';

export function registerApiserverCommand(program: Command): Command {
  return program
    .command('apiserver')
    .description('Serve the Kubernetes API (core/v1, apps/v1, coordination.k8s.io/v1, discovery.k8s.io/v1) over HTTPS, stored in SQLite or etcd')
    .option('--data-dir <dir>', 'state directory: SQLite database, generated CA and serving certificate (pki/), generated admin token (tokens.csv)', DEFAULTS.dataDir)
    .option('--bind-address <ip>', 'address to listen on', DEFAULTS.bindAddress)
    .option('--secure-port <port>', 'HTTPS port', DEFAULTS.securePort)
    .option('--advertise-address <ip>', 'address clients and the cluster reach the apiserver at (default: the first non-loopback IPv4 of the host, else 127.0.0.1)')
    .option('--service-cluster-ip-range <cidr>', 'IPv4 range for Service ClusterIPs; its first address is the kubernetes Service', DEFAULTS.serviceClusterIpRange)
    .option('--service-node-port-range <low-high>', 'port range for Service NodePorts', DEFAULTS.serviceNodePortRange)
    .option('--etcd-servers <urls>', 'comma-separated etcd client URLs; when given, etcd replaces the embedded SQLite store')
    .option('--etcd-prefix <prefix>', 'key prefix of all objects in etcd (the default lays them out as upstream: /registry/pods/...)', DEFAULTS.etcdPrefix)
    .option('--etcd-cafile <file>', 'CA bundle (PEM) that signed the etcd servers\' certificates')
    .option('--etcd-certfile <file>', 'client certificate (PEM) for etcd; needs --etcd-keyfile')
    .option('--etcd-keyfile <file>', 'key of --etcd-certfile (PEM)')
    .option('--token-auth-file <file>', 'static bearer tokens, CSV lines token,user,uid,"group1,group2" (default: <data-dir>/tokens.csv, created with an admin token)')
    .option('--tls-cert-file <file>', 'serving certificate (PEM, with chain) instead of the generated one; needs --tls-private-key-file')
    .option('--tls-private-key-file <file>', 'key of --tls-cert-file (PEM)')
    .option('--client-ca-file <file>', 'CA bundle (PEM) for x509 client certificates: CN is the user, O the groups')
    .option('--write-kubeconfig <file>', 'write an admin kubeconfig here once serving (mode 0600)')
    .option('--controllers <list>', 'in-process controllers: comma-separated names, * for all, -name to leave one out, "" for none (scheduler, endpointslice, endpoints, nodeipam, nodelifecycle, replicaset, deployment, serviceaccount)', DEFAULTS.controllers)
    .option('--cluster-cidr <cidr>', 'pod network; node IPAM gives each node a --node-cidr-mask-size slice of it', DEFAULTS.clusterCidr)
    .option('--node-cidr-mask-size <bits>', 'prefix length of each node\'s pod CIDR', DEFAULTS.nodeCidrMaskSize)
    .option('--node-monitor-grace-period <duration>', 'how long a node may go without renewing its Lease before it is marked unreachable', DEFAULTS.nodeMonitorGracePeriod)
    .option('--pod-eviction-timeout <duration>', 'how long pods stay on an unreachable node before they are deleted (unless they tolerate longer)', DEFAULTS.podEvictionTimeout)
    .option('--log-format <format>', 'text or json (default: text on a terminal, else json)')
    .option('--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, DEFAULTS.logLevel)
    .action(async (flags: ApiserverFlags) => {
      let config;
      try {
        config = buildConfig(flags);
      } catch (err) {
        fail(err);
        return;
      }
      const log = createLogger({ level: config.logLevel, format: config.logFormat });
      try {
        // Loaded here so that other subcommands do not carry the server's modules in memory.
        const { runApiserver } = await import('./main.js');
        await runApiserver(config, { log, onServing: announce });
        // Everything was closed; should a library still hold a handle, do not hang on it.
        setTimeout(() => process.exit(0), 2000).unref();
      } catch (err) {
        fail(err);
        // A failed start has undone what it started; exiting also covers a handle it could not close.
        process.exit(1);
      }
    });
}

/** One line for whoever started the server, whatever the log level. */
function announce(running: RunningApiserver): void {
  const kubeconfig = running.kubeconfig === undefined ? '' : `; admin kubeconfig: ${running.kubeconfig}`;
  process.stdout.write(`nodelet apiserver: serving on ${running.url}${kubeconfig}\n`);
}

/** A clear message on stderr (stderr is synchronous for files and pipes) and exit code 1. */
function fail(err: unknown): void {
  const code = isNodeletError(err) && err.code !== ErrorCode.InvalidConfig ? ` (${err.code})` : '';
  process.stderr.write(`nodelet apiserver: ${errorMessage(err)}${code}\n`);
  process.exitCode = 1;
}
