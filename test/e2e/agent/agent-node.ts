// A whole nodelet node for e2e tests: a test node (netns, registry, containerd), the real
// `nodelet apiserver` on SQLite, and the real `nodelet agent` as a child process pointed at both,
// with its root, pod logs and static-pod dirs under the test node's temp dir. The agent runs in
// the machine's namespace (it only dials containerd's socket and the apiserver on loopback); pods
// get their network inside the test node's namespace through containerd's CNI.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';
import { PROJECT_ROOT, daemonEnv, startDaemon, startTestNode, type Daemon, type TestNode } from '../../harness/index.js';
import { kubectlFor, type Kubectl } from '../../integration/kubectl/kubectl-runner.js';
import { loadKubeconfig } from '../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../src/api/client/types.js';
import { systemClock } from '../../../src/base/clock.js';

const CLI = path.join(PROJECT_ROOT, 'dist/src/cli.js');

export interface AgentNode {
  readonly node: TestNode;
  readonly apiserver: RunningApiserver;
  readonly nodeName: string;
  readonly kubectl: Kubectl;
  readonly client: KubeClient;
  readonly manifestDir: string;
  readonly podLogsDir: string;
  readonly rootDir: string;
  agent(): Daemon;
  /** Starts the agent (again); the previous one must have exited. */
  startAgent(): Promise<Daemon>;
  /** SIGKILL to the agent's PID, resolves once it is gone. */
  killAgent(): Promise<void>;
  /** Polls `check` every 200 ms until it returns a value (not undefined), for at most `timeoutMs`. */
  eventually<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T>;
  dispose(): Promise<void>;
}

export async function startAgentNode(): Promise<AgentNode> {
  const node = await startTestNode();
  let apiserver: RunningApiserver | undefined;
  let agent: Daemon | undefined;
  try {
    // The whole control plane, controllers included, as `make up` runs it.
    apiserver = await startApiserver('sqlite', { controllers: '*' });
    const api = apiserver;
    const nodeName = `nlt-${path.basename(node.tmp.path).replace(/[^a-z0-9]/gi, '').toLowerCase().slice(-8)}`;
    const rootDir = node.tmp.join('agent-root');
    const podLogsDir = node.tmp.join('pod-logs');
    const manifestDir = node.tmp.join('manifests');
    await Promise.all([rootDir, podLogsDir, manifestDir].map((d) => mkdir(d, { recursive: true })));
    const configFile = node.tmp.join('agent-config.yaml');
    await writeFile(
      configFile,
      [
        'apiVersion: kubelet.config.k8s.io/v1beta1',
        'kind: KubeletConfiguration',
        `staticPodPath: ${manifestDir}`,
        'fileCheckFrequency: 5s',
        'clusterDomain: cluster.local',
        'clusterDNS: ["10.96.0.10"]',
        `cgroupRoot: ${node.cgroupParent}`,
        '',
      ].join('\n'),
    );
    const client = createKubeClient({ credentials: await loadKubeconfig(api.kubeconfig) });
    const kubectl = kubectlFor(api.kubeconfig, node.tmp.join('kube-cache'));
    let logN = 0;
    const startAgent = async (): Promise<Daemon> => {
      agent = await startDaemon({
        name: 'nodelet-agent',
        file: process.execPath,
        args: [
          CLI, 'agent',
          '--config', configFile,
          '--kubeconfig', api.kubeconfig,
          '--hostname-override', nodeName,
          '--root-dir', rootDir,
          '--pod-logs-dir', podLogsDir,
          '--container-runtime-endpoint', node.containerd.socketPath,
        ],
        logFile: node.tmp.join(`agent-${logN++}.log`),
        env: daemonEnv(),
        ready: async () => {
          const n = await client.get(`/api/v1/nodes/${nodeName}`).catch(() => undefined);
          return n !== undefined;
        },
        readyTimeoutMs: 30_000,
        readyIntervalMs: 200,
        readyPolls: 150,
      });
      return agent;
    };
    await startAgent();
    const eventually = async <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> => {
      const deadline = Date.now() + timeoutMs;
      let last: unknown;
      for (let i = 0; i < 10_000; i++) {
        try {
          const v = await check();
          if (v !== undefined) return v;
        } catch (err) {
          last = err;
        }
        if (Date.now() > deadline) break;
        await systemClock.sleep(200);
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}\nagent log:\n${agent?.logTail(40) ?? ''}`);
    };
    return {
      node,
      apiserver: api,
      nodeName,
      kubectl,
      client,
      manifestDir,
      podLogsDir,
      rootDir,
      agent: () => {
        if (agent === undefined) throw new Error('no agent');
        return agent;
      },
      startAgent,
      killAgent: async () => {
        if (agent === undefined) return;
        process.kill(agent.pid, 'SIGKILL');
        await agent.exited;
      },
      eventually,
      dispose: async () => {
        client.close();
        await agent?.stop(10_000);
        await api.stop();
        await node.dispose();
      },
    };
  } catch (err) {
    await agent?.stop().catch(() => undefined);
    await apiserver?.stop().catch(() => undefined);
    await node.dispose().catch(() => undefined);
    throw err;
  }
}
