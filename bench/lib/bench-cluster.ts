// A whole one-node cluster for benchmarks: a harness test node (netns, registry, containerd), a
// real `nodelet apiserver` on SQLite and a real `nodelet agent`, both inside the node's network
// namespace so that the agent reaches the apiserver as on a real node (127.0.0.1, no relay). The
// benchmark itself talks to the apiserver from outside through a relay (see netns-relay.ts).
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { systemClock } from '../../src/base/clock.js';
import { isJsonObject } from '../../src/api/object.js';
import { PROJECT_ROOT } from '../../test/harness/paths.js';
import { startDaemon, type Daemon } from '../../test/harness/process.js';
import type { TestNode } from '../../test/harness/testnode.js';
import { clientFromKubeconfig, type KubeClient } from './kube-client.js';
import { startNetnsRelay } from '../../test/harness/netns-relay.js';

const CLI = path.join(PROJECT_ROOT, 'dist/src/cli.js');
/** Inside the node's netns nothing else listens, so the upstream port is free. */
const APISERVER_PORT = 6443;

export interface BenchCluster {
  readonly apiserver: Daemon;
  readonly agent: Daemon;
  /** Admin client for the apiserver, from this process (through the relay). */
  readonly client: KubeClient;
  readonly nodeName: string;
  /** The relay's process inside the netns (the bench client's traffic crosses it). */
  readonly relayPid: number;
}

/** Reads a pod or node condition's status ('True', 'False', 'Unknown'), or undefined. */
export function conditionStatus(obj: unknown, type: string): string | undefined {
  if (!isJsonObject(obj) || !isJsonObject(obj.status) || !Array.isArray(obj.status.conditions)) return undefined;
  for (const c of obj.status.conditions) {
    if (isJsonObject(c) && c.type === type && typeof c.status === 'string') return c.status;
  }
  return undefined;
}

/** The kubeconfig with its server replaced, for clients outside the netns. */
async function rewriteServer(src: string, dest: string, server: string): Promise<void> {
  const doc = parseDocument(await readFile(src, 'utf8'));
  doc.setIn(['clusters', 0, 'cluster', 'server'], server);
  await writeFile(dest, doc.toString(), { mode: 0o600 });
}

/**
 * Starts apiserver and agent on `node`; everything is tied to the node, so node.dispose() stops
 * them (agent first). Throws with the failing daemon's log tail.
 */
export async function startBenchCluster(node: TestNode, opts: { nodeName: string; agentLogLevel?: string }): Promise<BenchCluster> {
  const dataDir = node.tmp.join('apiserver');
  const kubeconfig = node.tmp.join('admin.kubeconfig');
  const logs = node.tmp.join('logs');
  await mkdir(logs, { recursive: true });

  const apiserver = node.add(
    await startDaemon({
      name: 'apiserver',
      file: process.execPath,
      args: [
        CLI, 'apiserver',
        '--data-dir', dataDir,
        '--secure-port', String(APISERVER_PORT),
        '--bind-address', '127.0.0.1',
        '--advertise-address', '127.0.0.1',
        '--write-kubeconfig', kubeconfig,
        '--log-format', 'json',
      ],
      netns: node.netns.name,
      logFile: path.join(logs, 'apiserver.log'),
      // It writes the kubeconfig once it serves.
      ready: () => Promise.resolve(existsSync(kubeconfig)),
      readyPolls: 600,
      readyIntervalMs: 100,
      readyTimeoutMs: 60_000,
    }),
  );

  const relay = node.add(
    await startNetnsRelay({
      netnsName: node.netns.name,
      socketPath: node.tmp.join('api.sock'),
      targetPort: APISERVER_PORT,
      logFile: path.join(logs, 'relay.log'),
    }),
  );
  const outsideKubeconfig = node.tmp.join('bench.kubeconfig');
  await rewriteServer(kubeconfig, outsideKubeconfig, `https://127.0.0.1:${relay.localPort}`);
  const client = await clientFromKubeconfig(outsideKubeconfig);
  node.add({ dispose: () => client.close() });
  await waitFor(60_000, async () => (await client.request('GET', '/readyz')).status === 200, () => `apiserver not ready:\n${apiserver.logTail()}`);

  const agentDir = node.tmp.join('agent');
  await mkdir(path.join(agentDir, 'manifests'), { recursive: true });
  const agent = node.add(
    await startDaemon({
      name: 'agent',
      file: process.execPath,
      args: [
        CLI, 'agent',
        '--kubeconfig', kubeconfig,
        '--hostname-override', opts.nodeName,
        '--node-ip', '127.0.0.1',
        '--root-dir', path.join(agentDir, 'root'),
        '--pod-logs-dir', path.join(agentDir, 'pod-logs'),
        '--pod-manifest-path', path.join(agentDir, 'manifests'),
        '--container-runtime-endpoint', node.containerd.socketPath,
        '--log-format', 'json',
        '--log-level', opts.agentLogLevel ?? 'info',
      ],
      netns: node.netns.name,
      logFile: path.join(logs, 'agent.log'),
      ready: async () => conditionStatus((await client.request('GET', `/api/v1/nodes/${opts.nodeName}`)).body, 'Ready') === 'True',
      readyPolls: 900,
      readyIntervalMs: 100,
      readyTimeoutMs: 90_000,
    }),
  );
  return { apiserver, agent, client, nodeName: opts.nodeName, relayPid: relay.pid };
}

/** Polls `check` every 100 ms until true; throws `why()` after `timeoutMs`. A throw counts as "not yet". */
export async function waitFor(timeoutMs: number, check: () => Promise<boolean>, why: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    await systemClock.sleep(100);
  }
  throw new Error(why());
}
