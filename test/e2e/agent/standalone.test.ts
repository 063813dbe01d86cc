// e2e: the agent without a kubeconfig (standalone mode) runs static pods alone, through the CRI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CriClient } from '../../../src/cri/client.js';
import { PROJECT_ROOT, daemonEnv, startDaemon, startTestNode, type Daemon, type TestNode } from '../../harness/index.js';
import { systemClock } from '../../../src/base/clock.js';
import { BUSYBOX } from './pod-helpers.js';

describe('agent in standalone mode', { timeout: 300_000 }, () => {
  let node: TestNode;
  let cri: CriClient;
  let agent: Daemon;
  let manifests: string;
  before(async () => {
    node = await startTestNode();
    cri = node.add(new CriClient({ endpoint: node.containerd.socketPath, timeoutMs: 60_000 }));
    manifests = node.tmp.join('manifests');
    await mkdir(manifests, { recursive: true });
    agent = node.add(
      await startDaemon({
        name: 'nodelet-agent',
        file: process.execPath,
        args: [
          path.join(PROJECT_ROOT, 'dist/src/cli.js'), 'agent',
          '--hostname-override', 'standalone-node',
          '--root-dir', node.tmp.join('root'),
          '--pod-logs-dir', node.tmp.join('logs'),
          '--pod-manifest-path', manifests,
          '--container-runtime-endpoint', node.containerd.socketPath,
        ],
        logFile: node.tmp.join('agent.log'),
        env: daemonEnv(),
        ready: async () => true,
      }),
    );
  }, { timeout: 120_000 });
  after(() => node?.dispose(), { timeout: 120_000 });

  const running = async (): Promise<string[]> =>
    (await cri.listContainers({ state: 'CONTAINER_RUNNING', labelSelector: { 'io.kubernetes.pod.name': 'solo-standalone-node' } })).map((c) => c.id);

  async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const v = await check();
      if (v !== undefined) return v;
      await systemClock.sleep(200);
    }
    throw new Error(`timed out waiting for ${what}\n${agent.logTail(30)}`);
  }

  test('a static pod runs without an apiserver and stops when its file goes', async () => {
    await writeFile(path.join(manifests, 'solo.json'), JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }] },
    }));
    const ids = await until('the static pod running', async () => {
      const r = await running();
      return r.length === 1 ? r : undefined;
    });
    const status = await cri.containerStatus(ids[0] ?? '');
    assert.equal(status.status.labels['io.kubernetes.pod.namespace'], 'default');
    assert.ok(agent.running());
    await rm(path.join(manifests, 'solo.json'));
    await until('the static pod gone', async () => ((await running()).length === 0 ? true : undefined));
    await until('its sandbox removed', async () => {
      const s = await cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.name': 'solo-standalone-node' } });
      return s.length === 0 ? true : undefined;
    });
  });
});
