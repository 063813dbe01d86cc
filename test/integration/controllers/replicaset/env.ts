// Shared setup of the workload controller tests: the real `nodelet apiserver`, an admin client,
// hollow nodes, the fake kubelet, and a poll helper for waiting on the cluster's state.
import { loadKubeconfig } from '../../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../../src/api/client/types.js';
import { systemClock } from '../../../../src/base/clock.js';
import { createLogger, type Logger } from '../../../../src/base/log.js';
import { startApiserver, type RunningApiserver } from '../../../harness/apiserver.js';
import { startHollowNodes, type HollowNodes } from '../../../harness/hollow-nodes.js';
import { FakeKubelet } from './fake-kubelet.js';

export interface ControllerEnv {
  apiserver: RunningApiserver;
  client: KubeClient;
  nodes: HollowNodes;
  kubelet: FakeKubelet;
  log: Logger;
  close(): Promise<void>;
}

export async function startEnv(nodeCount: number, renewEveryMs = 1000): Promise<ControllerEnv> {
  const apiserver = await startApiserver('sqlite');
  const client = createKubeClient({ credentials: await loadKubeconfig(apiserver.kubeconfig) });
  const nodes = await startHollowNodes(client, { count: nodeCount, renewEveryMs });
  const kubelet = new FakeKubelet(client, nodes.names);
  await kubelet.start();
  const log = createLogger({ level: process.env.NODELET_TEST_LOG ?? 'error', format: 'text' });
  return {
    apiserver,
    client,
    nodes,
    kubelet,
    log,
    async close() {
      await kubelet.dispose();
      await nodes.dispose();
      client.close();
      await apiserver.stop();
    },
  };
}

/** Polls `check` until it returns a value other than undefined; fails with `what` after the timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last === undefined ? '' : `: ${String(last)}`}`);
    await systemClock.sleep(100);
  }
}

export { systemClock };
