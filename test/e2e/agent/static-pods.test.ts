// e2e: static pods from the manifest directory, their mirror pods in the apiserver, and a node
// whose container runtime goes away and comes back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startAgentNode, type AgentNode } from './agent-node.js';
import { BUSYBOX, isReady, podStatus, waitForPod } from './pod-helpers.js';

const staticManifest = (env: string): string => `
apiVersion: v1
kind: Pod
metadata:
  name: static-web
  labels: {app: static-web}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: web
    image: ${BUSYBOX}
    command: ["sleep", "3600"]
    env: [{name: VERSION, value: "${env}"}]
`;

function nodeReady(obj: { [k: string]: unknown }): { status: string; reason: string; message: string } | undefined {
  const conds = ((obj['status'] as { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } | undefined)?.conditions ?? []);
  const ready = conds.find((c) => c.type === 'Ready');
  return ready === undefined ? undefined : { status: ready.status, reason: ready.reason ?? '', message: ready.message ?? '' };
}

describe('agent runs static pods and follows its runtime', { timeout: 600_000 }, () => {
  let n: AgentNode;
  let mirror: string;
  before(async () => {
    n = await startAgentNode();
    mirror = `static-web-${n.nodeName}`;
  }, { timeout: 120_000 });
  after(() => n?.dispose(), { timeout: 120_000 });

  const mirrorPod = async () => n.client.get(`/api/v1/namespaces/default/pods/${mirror}`);

  test('a static pod runs and its mirror pod appears with the source annotations', async () => {
    await writeFile(path.join(n.manifestDir, 'web.yaml'), staticManifest('one'));
    const s = await waitForPod(n, mirror, 'mirror pod Running and Ready', 90_000, isReady);
    const obj = await mirrorPod();
    const ann = obj.metadata.annotations ?? {};
    assert.equal(ann['kubernetes.io/config.source'], 'file');
    assert.ok((ann['kubernetes.io/config.mirror'] ?? '') !== '', 'config.mirror annotation');
    assert.equal(ann['kubernetes.io/config.mirror'], ann['kubernetes.io/config.hash']);
    assert.deepEqual(obj.metadata.ownerReferences?.map((o) => [o.kind, o.name]), [['Node', n.nodeName]]);
    assert.equal(s.containerStatuses?.[0]?.restartCount, 0);
  });

  test('a deleted mirror pod is recreated and the static pod keeps running', async () => {
    const before = await mirrorPod();
    const runningId = (await podStatus(n, mirror)).containerStatuses?.[0]?.containerID;
    await n.kubectl.ok('delete', 'pod', mirror, '--wait=false');
    const again = await n.eventually('a new mirror pod', 60_000, async () => {
      const obj = await mirrorPod().catch(() => undefined);
      return obj !== undefined && obj.metadata.uid !== before.metadata.uid ? obj : undefined;
    });
    assert.notEqual(again.metadata.uid, before.metadata.uid);
    const s = await waitForPod(n, mirror, 'Ready with the same container', 30_000, (st) => isReady(st) && st.containerStatuses?.[0]?.containerID === runningId);
    assert.equal(s.containerStatuses?.[0]?.restartCount, 0);
  });

  test('a malformed manifest file is reported and changes nothing else', async () => {
    await writeFile(path.join(n.manifestDir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: [not, a, map\n');
    await n.eventually('the agent log names the bad file', 30_000, async () => (n.agent().logTail(200).includes('broken.yaml') ? true : undefined));
    assert.ok(n.agent().running());
    assert.ok(isReady(await podStatus(n, mirror)));
    await rm(path.join(n.manifestDir, 'broken.yaml'));
  });

  test('editing the manifest replaces the pod; removing it removes the pod', async () => {
    const old = await mirrorPod();
    const oldHash = old.metadata.annotations?.['kubernetes.io/config.hash'];
    await writeFile(path.join(n.manifestDir, 'web.yaml'), staticManifest('two'));
    const replaced = await n.eventually('the mirror pod of the edited manifest', 90_000, async () => {
      const obj = await mirrorPod().catch(() => undefined);
      const hash = obj?.metadata.annotations?.['kubernetes.io/config.hash'];
      return obj !== undefined && hash !== oldHash ? obj : undefined;
    });
    const env = ((replaced['spec'] as { containers: Array<{ env?: Array<{ value?: string }> }> }).containers[0]?.env ?? [])[0]?.value;
    assert.equal(env, 'two');
    await waitForPod(n, mirror, 'the new pod Ready', 60_000, isReady);

    await rm(path.join(n.manifestDir, 'web.yaml'));
    await n.eventually('the mirror pod gone', 60_000, async () => ((await mirrorPod().catch(() => undefined)) === undefined ? true : undefined));
  });

  test('a node whose runtime stops reports NotReady, and Ready again when it returns', { timeout: 180_000 }, async () => {
    const path_ = `/api/v1/nodes/${n.nodeName}`;
    await n.node.containerd.stopProcess();
    const down = await n.eventually('NotReady', 90_000, async () => {
      const r = nodeReady(await n.client.get(path_));
      return r?.status === 'False' ? r : undefined;
    });
    assert.equal(down.reason, 'KubeletNotReady');
    assert.match(down.message, /container runtime is down/);
    assert.ok(n.agent().running(), 'the agent survives its runtime going away');
    await n.node.containerd.startProcess();
    const up = await n.eventually('Ready again', 90_000, async () => {
      const r = nodeReady(await n.client.get(path_));
      return r?.status === 'True' ? r : undefined;
    });
    assert.equal(up.reason, 'KubeletReady');
  });
});
