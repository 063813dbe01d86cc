import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import winston from 'winston';
import type { KubeClient, ObjectList, WatchEvent } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';
import type { Pod } from '../../../../src/api/pod-types.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';
import { MirrorManager } from '../../../../src/agent/mirror/mirror-manager.js';

const silent = winston.createLogger({ silent: true });

/** Sleeps until aborted, so only explicit syncs run. */
const parked: Clock = {
  now: () => 0,
  sleep: (_ms, signal) => new Promise((_r, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })),
};

/** Records create/delete/get calls; failures can be scripted per call kind. */
class FakeClient implements KubeClient {
  readonly server = 'https://fake';
  readonly calls: string[] = [];
  readonly created: KubeObject[] = [];
  readonly deleteOptions: unknown[] = [];
  nodeUid: string | undefined = 'node-uid-1';
  failCreate: NodeletError | undefined;
  failDelete: NodeletError | undefined;

  async get(path: string): Promise<KubeObject> {
    this.calls.push(`get ${path}`);
    if (this.nodeUid === undefined) throw new NodeletError(ErrorCode.NotFound, 'nodes "node-a" not found');
    return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', uid: this.nodeUid } };
  }
  async create(path: string, body: KubeObject): Promise<KubeObject> {
    this.calls.push(`create ${path} ${body.metadata.name ?? ''}`);
    if (this.failCreate !== undefined) throw this.failCreate;
    this.created.push(body);
    return body;
  }
  async delete(path: string, options?: unknown): Promise<unknown> {
    this.calls.push(`delete ${path}`);
    this.deleteOptions.push(options);
    if (this.failDelete !== undefined) throw this.failDelete;
    return {};
  }
  list(): Promise<ObjectList> {
    throw new Error('unused');
  }
  update(): Promise<KubeObject> {
    throw new Error('unused');
  }
  patch(): Promise<KubeObject> {
    throw new Error('unused');
  }
  // eslint-disable-next-line require-yield
  async *watch(): AsyncIterable<WatchEvent> {
    throw new Error('unused');
  }
  close(): void {}
}

function staticPod(name: string, hash: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: hash, annotations: { 'kubernetes.io/config.hash': hash } },
    spec: { containers: [{ name: 'c', image: 'img:1' }] },
  };
}
function mirror(name: string, hash: string, uid: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid, annotations: { 'kubernetes.io/config.mirror': hash } },
    spec: { containers: [{ name: 'c', image: 'img:1' }] },
  };
}

function setup() {
  const client = new FakeClient();
  const manager = new MirrorManager({ client, clock: parked, log: silent }, { nodeName: 'node-a' });
  return { client, manager };
}

describe('MirrorManager', () => {
  it('does nothing until both the static pods and the mirror pods are known', async () => {
    const { client, manager } = setup();
    manager.setStaticPods([staticPod('a', 'h1')]);
    await manager.sync();
    assert.deepEqual(client.calls, [], 'the api source has not listed yet');
    const other = setup();
    other.manager.setMirrorPods([mirror('orphan', 'h0', 'm0')]);
    await other.manager.sync();
    assert.deepEqual(other.client.calls, [], 'the file source has not scanned yet: no mirror is an orphan yet');
    await manager.dispose();
    await other.manager.dispose();
  });

  it('creates a missing mirror pod owned by the Node', async () => {
    const { client, manager } = setup();
    manager.setStaticPods([staticPod('a', 'h1')]);
    manager.setMirrorPods([]);
    await manager.sync();
    assert.deepEqual(client.calls, ['get /api/v1/nodes/node-a', 'create /api/v1/namespaces/default/pods a']);
    const body = client.created[0];
    assert.equal(body?.metadata.annotations?.['kubernetes.io/config.mirror'], 'h1');
    assert.deepEqual(body?.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'node-uid-1', controller: true }]);
    await manager.dispose();
  });

  it('replaces an outdated mirror: delete with a uid precondition, then create', async () => {
    const { client, manager } = setup();
    manager.setStaticPods([staticPod('a', 'h2')]);
    manager.setMirrorPods([mirror('a', 'h1', 'old-uid')]);
    await manager.sync();
    assert.deepEqual(client.calls, ['get /api/v1/nodes/node-a', 'delete /api/v1/namespaces/default/pods/a', 'create /api/v1/namespaces/default/pods a']);
    assert.deepEqual(client.deleteOptions, [{ gracePeriodSeconds: 0, preconditions: { uid: 'old-uid' } }]);
    await manager.dispose();
  });

  it('deletes orphaned mirrors and keeps current ones', async () => {
    const { client, manager } = setup();
    manager.setStaticPods([staticPod('a', 'h1')]);
    manager.setMirrorPods([mirror('a', 'h1', 'ma'), mirror('b', 'h9', 'mb')]);
    await manager.sync();
    assert.deepEqual(client.calls, ['delete /api/v1/namespaces/default/pods/b']);
    assert.equal(manager.mirrorOf(staticPod('a', 'h1'))?.metadata.uid, 'ma');
    assert.equal(manager.mirrorOf(staticPod('a', 'h2')), undefined, 'not the mirror of a changed static pod');
    await manager.dispose();
  });

  it('waits for the Node before creating, and retries at the next sync', async () => {
    const { client, manager } = setup();
    client.nodeUid = undefined;
    manager.setStaticPods([staticPod('a', 'h1')]);
    manager.setMirrorPods([]);
    await manager.sync();
    assert.deepEqual(client.calls, ['get /api/v1/nodes/node-a']);
    client.nodeUid = 'node-uid-2';
    await manager.sync();
    assert.equal(client.created[0]?.metadata.ownerReferences?.[0]?.uid, 'node-uid-2');
    await manager.dispose();
  });

  it('treats AlreadyExists and a failed precondition as done, and survives other failures', async () => {
    const { client, manager } = setup();
    client.failCreate = new NodeletError(ErrorCode.Conflict, 'pods "a" already exists');
    client.failDelete = new NodeletError(ErrorCode.Conflict, 'precondition failed: UID in precondition');
    manager.setStaticPods([staticPod('a', 'h2')]);
    manager.setMirrorPods([mirror('a', 'h1', 'old')]);
    await manager.sync();
    client.failCreate = new NodeletError(ErrorCode.Unavailable, 'connection refused');
    await manager.sync();
    assert.equal(client.calls.filter((c) => c.startsWith('create')).length, 2, 'tried again');
    await manager.dispose();
  });

  it('coalesces syncs requested while one is queued', async () => {
    const { client, manager } = setup();
    manager.setMirrorPods([]);
    manager.setStaticPods([staticPod('a', 'h1')]);
    const a = manager.sync();
    const b = manager.sync();
    assert.equal(a, b);
    await a;
    assert.equal(client.calls.filter((c) => c.startsWith('create')).length, 1);
    await manager.dispose();
  });
});
