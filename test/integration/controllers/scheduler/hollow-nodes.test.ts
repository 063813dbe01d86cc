// The hollow-node harness against the real API handler: Ready nodes with allocatable, a Lease per
// node renewed on demand, a paused node's Lease left alone, nodes deleted on dispose when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKubeconfig } from '../../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../../src/api/client/types.js';
import { objectsAt, stringAt } from '../../../../src/api/json.js';
import { isJsonObject } from '../../../../src/api/object.js';
import { systemClock } from '../../../../src/base/clock.js';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { startHollowNodes } from '../../../harness/hollow-nodes.js';
import { startTestServer } from '../../apiserver/server.js';

async function renewTime(client: KubeClient, name: string): Promise<string> {
  const lease = await client.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`);
  return isJsonObject(lease.spec) ? (stringAt(lease.spec, 'renewTime') ?? '') : '';
}

test('hollow nodes register Ready with leases; a paused node stops renewing', async () => {
  const server = await startTestServer();
  const client = createKubeClient({ credentials: await loadKubeconfig(await server.kubeconfig()) });
  try {
    // A renew period far beyond the test: renewals happen only through renewAll/resumeRenewing.
    const fleet = await startHollowNodes(client, { count: 3, prefix: 'h', labels: (i) => ({ index: String(i) }), renewEveryMs: 3_600_000, deleteOnDispose: true });
    assert.deepEqual(fleet.names, ['h-0', 'h-1', 'h-2']);
    const node = await client.get('/api/v1/nodes/h-1');
    assert.equal(node.metadata.labels?.index, '1');
    const status = isJsonObject(node.status) ? node.status : undefined;
    const ready = objectsAt(status, 'conditions').find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'KubeletReady');
    assert.deepEqual(status?.allocatable, { cpu: '4', memory: '16Gi', pods: '110' });

    const before0 = await renewTime(client, 'h-0');
    const before1 = await renewTime(client, 'h-1');
    fleet.stopRenewing('h-1');
    await systemClock.sleep(20); // renewTime has microsecond resolution; make sure the clock moved
    await fleet.renewAll();
    assert.notEqual(await renewTime(client, 'h-0'), before0);
    assert.equal(await renewTime(client, 'h-1'), before1);

    await fleet.dispose();
    await assert.rejects(client.get('/api/v1/nodes/h-0'), (err) => isNodeletError(err, ErrorCode.NotFound));
  } finally {
    client.close();
    await server.close();
  }
});
