// The proxy under test, the real way: a `nodelet apiserver` and a `nodelet proxy` both running inside
// the topology's node namespace (so the proxy programs that namespace only), objects created with
// kubectl run inside the same namespace. Services have no selector: the test writes their
// EndpointSlices itself, naming the endpoint namespaces' IPs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecResult } from '../../../src/base/exec.js';
import type { Disposable } from '../../../src/base/lifecycle.js';
import { systemClock } from '../../../src/base/clock.js';
import { PROJECT_ROOT, startDaemon, type Daemon } from '../../harness/index.js';
import { NODE_IP, POD_CIDR, SERVICE_CIDR, ENDPOINT_HTTP_PORT, ENDPOINT_UDP_PORT, type ProxyTopology, type TopologyEndpoint } from '../../harness/proxy-topology.js';

export type ProxyMode = 'iptables' | 'nftables';
export const NODE_NAME = 'node-a';
export const OTHER_NODE = 'node-b';

const CLI = path.join(PROJECT_ROOT, 'dist/src/cli.js');
const KUBECTL_CANDIDATES = [path.join(PROJECT_ROOT, '.tools/bin/kubectl'), '/usr/local/bin/kubectl', '/usr/bin/kubectl'];

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface ProxyNode extends Disposable {
  readonly mode: ProxyMode;
  readonly proxy: Daemon;
  /** Runs `nodelet proxy ARGS` to completion inside the node namespace (e.g. --cleanup). */
  runProxyCommand(args: string[]): Promise<ExecResult>;
  /** kubectl apply of the objects (create or update). */
  apply(objects: Json[]): Promise<void>;
  /** The last lines of the proxy's and the apiserver's logs, for failure messages. */
  logs(): string;
  dispose(): Promise<void>;
}

// Until src/cli.ts registers `proxy`, the same command (src/proxy/command.ts) is run by this launcher.
const LAUNCHER = `
const root = process.argv[1];
const { Command } = require(root + '/node_modules/commander');
import(root + '/dist/src/proxy/command.js').then(async (m) => {
  const program = new Command('nodelet');
  m.registerProxyCommand(program);
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
});
`;

/** The argv (after node) that runs `nodelet proxy`. */
async function proxyEntry(topo: ProxyTopology): Promise<string[]> {
  const res = await topo.nodeExec.run(process.execPath, [CLI, 'proxy', '--help'], { timeoutMs: 30_000 });
  // An unregistered subcommand still gets the program's help (exit 0): look for the proxy's flags.
  return res.code === 0 && res.stdout.includes('--proxy-mode') ? [CLI, 'proxy'] : ['-e', LAUNCHER, PROJECT_ROOT, 'proxy'];
}

function kubectlPath(): string {
  const found = KUBECTL_CANDIDATES.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`no kubectl in ${KUBECTL_CANDIDATES.join(', ')}; run make setup`);
  return found;
}

export async function startProxyNode(topo: ProxyTopology, mode: ProxyMode): Promise<ProxyNode> {
  const kubectl = kubectlPath();
  const kubeconfig = topo.tmp.join(`admin-${mode}.kubeconfig`);
  const owned: Disposable[] = [];
  const run = async (args: string[], stdin?: string): Promise<string> => {
    const res = await topo.nodeExec.run(kubectl, ['--kubeconfig', kubeconfig, ...args], { stdin, timeoutMs: 30_000 });
    if (res.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${res.stderr.trim()}`);
    return res.stdout;
  };
  try {
    // A fresh namespace has every port free: fixed ports are fine.
    const apiserver = await startDaemon({
      name: 'apiserver (node netns)',
      file: process.execPath,
      args: [
        CLI, 'apiserver',
        '--data-dir', topo.tmp.join(`apiserver-${mode}`),
        '--secure-port', '6443',
        '--bind-address', '127.0.0.1',
        '--advertise-address', '127.0.0.1',
        '--service-cluster-ip-range', SERVICE_CIDR,
        '--write-kubeconfig', kubeconfig,
        '--log-format', 'json',
      ],
      netns: topo.node.name,
      logFile: topo.tmp.join(`apiserver-${mode}.log`),
      ready: async () => existsSync(kubeconfig) && (await run(['get', '--raw', '/readyz'])).trim() === 'ok',
      readyIntervalMs: 200,
      readyTimeoutMs: 60_000,
    });
    owned.push(apiserver);
    // The node, so a proxy that looks up its Node finds it.
    await run(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME },
      status: { addresses: [{ type: 'InternalIP', address: NODE_IP }, { type: 'Hostname', address: NODE_NAME }] },
    }));
    const entry = await proxyEntry(topo);
    const proxy = await startDaemon({
      name: `nodelet proxy (${mode})`,
      file: process.execPath,
      args: [
        ...entry,
        '--kubeconfig', kubeconfig,
        '--proxy-mode', mode,
        '--hostname-override', NODE_NAME,
        '--cluster-cidr', POD_CIDR,
        '--healthz-bind-address', '127.0.0.1:10256',
        '--metrics-bind-address', '127.0.0.1:10249',
        '--log-format', 'json',
        '--log-level', 'debug',
      ],
      netns: topo.node.name,
      logFile: topo.tmp.join(`proxy-${mode}.log`),
      // Healthy once its first sync went through.
      ready: async () => (await topo.node.httpGet('http://127.0.0.1:10256/healthz', 2000)) !== undefined,
      readyIntervalMs: 200,
      readyTimeoutMs: 60_000,
    });
    owned.push(proxy);
    let disposed: Promise<void> | undefined;
    return {
      mode,
      proxy,
      runProxyCommand: (args) => topo.nodeExec.run(process.execPath, [...entry, ...args], { timeoutMs: 60_000 }),
      apply: async (objects) => {
        const file = topo.tmp.join(`objects-${mode}.json`);
        await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
        await run(['apply', '-f', file]);
      },
      logs: () => `--- proxy log:\n${proxy.logTail(40)}\n--- apiserver log:\n${apiserver.logTail(10)}`,
      dispose: () =>
        (disposed ??= (async () => {
          for (const d of owned.reverse()) await d.dispose();
        })()),
    };
  } catch (err) {
    for (const d of owned.reverse()) await Promise.resolve(d.dispose()).catch(() => undefined);
    throw err;
  }
}

export interface ServiceShape {
  name: string;
  clusterIP: string;
  type?: 'ClusterIP' | 'NodePort';
  /** TCP port 80 -> 8080 ("http"); nodePort when type NodePort. */
  nodePort?: number;
  /** Also UDP port 90 -> 9053 ("echo"). */
  udp?: boolean;
  affinity?: boolean;
  externalLocal?: boolean;
  internalLocal?: boolean;
}

export function serviceObject(s: ServiceShape): Json {
  const ports: Json[] = [{ name: 'http', port: 80, targetPort: ENDPOINT_HTTP_PORT, protocol: 'TCP', ...(s.nodePort === undefined ? {} : { nodePort: s.nodePort }) }];
  if (s.udp === true) ports.push({ name: 'echo', port: 90, targetPort: ENDPOINT_UDP_PORT, protocol: 'UDP' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: 'default' },
    spec: {
      type: s.type ?? 'ClusterIP',
      clusterIP: s.clusterIP,
      ports,
      sessionAffinity: s.affinity === true ? 'ClientIP' : 'None',
      ...(s.type === 'NodePort' ? { externalTrafficPolicy: s.externalLocal === true ? 'Local' : 'Cluster' } : {}),
      internalTrafficPolicy: s.internalLocal === true ? 'Local' : 'Cluster',
    },
  };
}

/** The service's one EndpointSlice: the given endpoints, ready, on `nodeName` unless listed in `remote`. */
export function sliceObject(service: string, endpoints: readonly TopologyEndpoint[], opts: { udp?: boolean; remote?: readonly string[] } = {}): Json {
  const ports: Json[] = [{ name: 'http', port: ENDPOINT_HTTP_PORT, protocol: 'TCP' }];
  if (opts.udp === true) ports.push({ name: 'echo', port: ENDPOINT_UDP_PORT, protocol: 'UDP' });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-1`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports,
    endpoints: endpoints.map((ep) => ({
      addresses: [ep.ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: opts.remote?.includes(ep.name) === true ? OTHER_NODE : NODE_NAME,
    })),
  };
}

/** Polls `check` (about 200 ms apart, at most `attempts` times) until it returns a value. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, explain: () => string, attempts = 150): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await systemClock.sleep(200);
  }
  throw new Error(`gave up waiting for ${what}\n${explain()}`);
}
