// e2e: kill -9 of the agent with 10 running pods, then a new agent: it adopts what runs (no
// container restarts) and reports statuses that match the runtime, including a container that
// exited while no agent was watching.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CriClient } from '../../../src/cri/client.js';
import { startAgentNode, type AgentNode } from './agent-node.js';
import { BUSYBOX, containerId, createPod, isReady, podObject, podStatus, waitForPod } from './pod-helpers.js';

const PODS = Array.from({ length: 10 }, (_, i) => `keep-${i}`);

describe('agent restart adopts running pods', { timeout: 600_000 }, () => {
  let n: AgentNode;
  let cri: CriClient;
  before(async () => {
    n = await startAgentNode();
    cri = new CriClient({ endpoint: n.node.containerd.socketPath, timeoutMs: 60_000 });
  }, { timeout: 120_000 });
  after(async () => {
    cri?.dispose();
    await n?.dispose();
  }, { timeout: 120_000 });

  test('kill -9 of the agent, then restart: zero container restarts, statuses correct', { timeout: 300_000 }, async () => {
    for (const name of PODS) {
      await createPod(n, podObject(name, n.nodeName, { terminationGracePeriodSeconds: 2, containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }] }));
    }
    const before = new Map<string, string>();
    for (const name of PODS) before.set(name, containerId(await waitForPod(n, name, 'Ready', 120_000, isReady), 'c'));

    await n.killAgent();
    // While no agent watches, one container dies: the new agent must notice and restart it.
    const victim = before.get('keep-0') ?? '';
    await cri.stopContainer(victim, 0);
    const restartedAt = Date.now();
    await n.startAgent();

    const victimStatus = await waitForPod(n, 'keep-0', 'restarted once', 60_000, (s) => isReady(s) && (s.containerStatuses?.[0]?.restartCount ?? 0) === 1);
    const elapsed = Date.now() - restartedAt;
    assert.equal(victimStatus.containerStatuses?.[0]?.lastState.terminated?.exitCode, 137);
    process.stdout.write(`# agent restart: the exited container's status was correct ${elapsed} ms after the new agent started\n`);

    for (const name of PODS.slice(1)) {
      const s = await podStatus(n, name);
      assert.ok(isReady(s), `${name} Ready`);
      assert.equal(s.containerStatuses?.[0]?.restartCount, 0, `${name} not restarted`);
      assert.equal(containerId(s, 'c'), before.get(name), `${name} keeps its container`);
    }
    const all = await cri.listContainers({ state: 'CONTAINER_RUNNING' });
    for (const [name, id] of before) if (name !== 'keep-0') assert.ok(all.some((c) => c.id === id), `${name}'s container still runs`);
  });
});
