// A one-node cluster the way `make up` builds one, inside a test node's network namespace: the
// real `nodelet apiserver` (controllers included), `nodelet agent` and `nodelet proxy` all run in
// that namespace next to containerd, so Service IPs are programmed where the pods' bridge is and
// "from the node" means from inside it. The test reaches the apiserver through a relay.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { PROJECT_ROOT, daemonEnv, freePort, startDaemon, startTestNode, type Daemon, type TestNode } from '../../harness/index.js';
import { startNetnsRelay } from '../../harness/netns-relay.js';
import { kubectlFor, type Kubectl } from '../../integration/kubectl/kubectl-runner.js';
import { systemClock } from '../../../src/base/clock.js';

const CLI = path.join(PROJECT_ROOT, 'dist/src/cli.js');

export interface NodeCluster {
  readonly node: TestNode;
  readonly nodeName: string;
  readonly kubectl: Kubectl;
  readonly apiserver: Daemon;
  readonly agent: Daemon;
  readonly proxy: Daemon;
  /** Runs a command inside the node's network namespace (bounded). */
  onNode(cmd: string, args: readonly string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T>;
  dispose(): Promise<void>;
}

export async function startNodeCluster(opts: { proxyMode: 'iptables' | 'nftables' }): Promise<NodeCluster> {
  const node = await startTestNode();
  try {
    const ns = node.netns.name;
    const nodeName = `nlt-node-${node.tmp.name.slice(-6).toLowerCase()}`;
    const dir = (p: string): string => node.tmp.join(p);
    await Promise.all(['apiserver', 'agent-root', 'pod-logs', 'manifests'].map((d) => mkdir(dir(d), { recursive: true })));
    const port = await freePort();
    const kubeconfig = dir('admin.kubeconfig');
    const apiserver = node.add(
      await startDaemon({
        name: 'nodelet-apiserver',
        file: process.execPath,
        args: [CLI, 'apiserver', '--data-dir', dir('apiserver'), '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1',
          '--secure-port', String(port), '--write-kubeconfig', kubeconfig, '--log-format', 'json', '--node-monitor-grace-period', '50s'],
        netns: ns,
        logFile: dir('apiserver.log'),
        env: daemonEnv(),
        ready: () => Promise.resolve(existsSync(kubeconfig)),
        readyTimeoutMs: 30_000,
      }),
    );
    const relay = node.add(await startNetnsRelay({ netnsName: ns, socketPath: dir('api.sock'), targetPort: port, logFile: dir('relay.log') }));
    const outside = dir('outside.kubeconfig');
    const doc = parse(await readFile(kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
    for (const c of doc.clusters) c.cluster.server = `https://127.0.0.1:${relay.localPort}`;
    await writeFile(outside, stringify(doc), { mode: 0o600 });
    const kubectl = kubectlFor(outside, dir('kube-cache'));

    const agentConfig = dir('agent.yaml');
    await writeFile(agentConfig, ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration', `cgroupRoot: ${node.cgroupParent}`,
      'clusterDomain: cluster.local', 'clusterDNS: ["10.96.0.10"]', ''].join('\n'));
    const agent = node.add(
      await startDaemon({
        name: 'nodelet-agent',
        file: process.execPath,
        args: [CLI, 'agent', '--config', agentConfig, '--kubeconfig', kubeconfig, '--hostname-override', nodeName, '--root-dir', dir('agent-root'),
          '--pod-logs-dir', dir('pod-logs'), '--pod-manifest-path', dir('manifests'), '--container-runtime-endpoint', node.containerd.socketPath, '--log-format', 'json'],
        netns: ns,
        logFile: dir('agent.log'),
        env: daemonEnv(),
        ready: () => Promise.resolve(true),
      }),
    );
    const proxy = node.add(
      await startDaemon({
        name: 'nodelet-proxy',
        file: process.execPath,
        args: [CLI, 'proxy', '--kubeconfig', kubeconfig, '--hostname-override', nodeName, '--proxy-mode', opts.proxyMode,
          '--cluster-cidr', node.containerd.podSubnet, '--healthz-bind-address', '127.0.0.1:0', '--metrics-bind-address', '127.0.0.1:0', '--log-format', 'json'],
        netns: ns,
        logFile: dir('proxy.log'),
        env: daemonEnv(),
        ready: () => Promise.resolve(true),
      }),
    );
    const eventually = async <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (let i = 0; i < 10_000 && Date.now() <= deadline; i++) {
        try {
          const v = await check();
          if (v !== undefined) return v;
        } catch (err) {
          last = err;
        }
        await systemClock.sleep(250);
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}\n` +
        `agent:\n${agent.logTail(15)}\nproxy:\n${proxy.logTail(15)}\napiserver:\n${apiserver.logTail(15)}`);
    };
    return {
      node,
      nodeName,
      kubectl,
      apiserver,
      agent,
      proxy,
      onNode: async (cmd, args, timeoutMs = 10_000) => {
        const r = await node.netns.run(cmd, [...args], { timeoutMs });
        return { code: r.code, stdout: r.stdout, stderr: r.stderr };
      },
      eventually,
      dispose: () => node.dispose(),
    };
  } catch (err) {
    await node.dispose().catch(() => undefined);
    throw err;
  }
}
