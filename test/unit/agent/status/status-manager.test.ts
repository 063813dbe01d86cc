import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusManager, type PodRef } from '../../../../src/agent/status/status-manager.js';
import type { KubeClient, PatchType } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';
import type { Pod, PodStatus } from '../../../../src/api/pod-types.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';

class FakeClock implements Clock {
  t = 1_000_000;
  private timers: Array<{ at: number; resolve: () => void }> = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(new Error('aborted'));
      }, { once: true });
    });
  }
  async advance(ms: number): Promise<void> {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.resolve();
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

interface Call {
  method: 'patch' | 'delete';
  path: string;
  body: unknown;
}

class FakeClient {
  calls: Call[] = [];
  /** Errors to throw, in order, for the next calls. */
  failures: Error[] = [];
  /** When set, patch waits for this before resolving. */
  gate: Promise<void> | undefined;
  /** Holds every PATCH until the returned release is called. */
  hold(): () => void {
    let open: () => void = () => undefined;
    this.gate = new Promise((r) => (open = r));
    return () => {
      this.gate = undefined;
      open();
    };
  }
  readonly server = 'https://fake';
  async patch(path: string, _type: PatchType, patch: unknown): Promise<KubeObject> {
    this.calls.push({ method: 'patch', path, body: structuredClone(patch) });
    if (this.gate !== undefined) await this.gate;
    const err = this.failures.shift();
    if (err !== undefined) throw err;
    return { apiVersion: 'v1', kind: 'Pod', metadata: {} };
  }
  async delete(path: string, options?: unknown): Promise<unknown> {
    this.calls.push({ method: 'delete', path, body: options });
    const err = this.failures.shift();
    if (err !== undefined) throw err;
    return {};
  }
  asClient(): KubeClient {
    const unused = (): never => {
      throw new Error('not used');
    };
    return { server: this.server, get: unused, list: unused, create: unused, update: unused, watch: unused, close: () => undefined, patch: this.patch.bind(this), delete: this.delete.bind(this) };
  }
}

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined } as never;

function pod(o: { uid?: string; static?: boolean; deleting?: boolean } = {}): Pod {
  const p: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns', uid: o.uid ?? 'uid-1' }, spec: { containers: [{ name: 'app', image: 'i' }] } };
  if (o.static === true) p.metadata.annotations = { 'kubernetes.io/config.source': 'file' };
  if (o.deleting === true) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  return p;
}

const status = (phase: PodStatus['phase'], podIP?: string): PodStatus => (podIP === undefined ? { phase } : { phase, podIP, podIPs: [{ ip: podIP }] });

function setup(mirror?: () => PodRef | undefined): { clock: FakeClock; fake: FakeClient; sm: StatusManager } {
  const clock = new FakeClock();
  const fake = new FakeClient();
  const sm = new StatusManager({ client: fake.asClient(), clock, log: quiet, ...(mirror === undefined ? {} : { mirrorPodFor: mirror }) });
  sm.start();
  return { clock, fake, sm };
}

function sentStatus(call: Call | undefined): Record<string, unknown> {
  const body = call?.body as { status: Record<string, unknown> } | undefined;
  assert.ok(body);
  return body.status;
}

test('status manager: sends a changed status once, as a merge patch with the uid and nulls for dropped fields', async () => {
  const { fake, sm } = setup();
  assert.equal(sm.setPodStatus(pod(), status('Pending', '10.0.0.1')), true);
  await settle();
  assert.equal(sm.setPodStatus(pod(), status('Pending', '10.0.0.1')), false);
  await settle();
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.calls[0]?.path, '/api/v1/namespaces/ns/pods/web/status');
  assert.deepEqual((fake.calls[0]?.body as { metadata: unknown }).metadata, { uid: 'uid-1' });
  sm.setPodStatus(pod(), status('Running'));
  await settle();
  assert.equal(fake.calls.length, 2);
  const sent = sentStatus(fake.calls[1]);
  assert.equal(sent.phase, 'Running');
  assert.equal(sent.podIP, null);
  assert.equal(sent.nominatedNodeName, undefined);
  assert.deepEqual(sm.getPodStatus('uid-1'), status('Running'));
  await sm.dispose();
});

test('status manager: never sends an older status after a newer one; skips intermediate ones', async () => {
  const { fake, sm } = setup();
  const release = fake.hold();
  sm.setPodStatus(pod(), status('Pending'));
  await settle();
  assert.equal(fake.calls.length, 1);
  sm.setPodStatus(pod(), status('Running'));
  sm.setPodStatus(pod(), status('Succeeded'));
  release();
  await settle();
  assert.deepEqual(fake.calls.map((c) => sentStatus(c).phase), ['Pending', 'Succeeded']);
  await sm.dispose();
});

test('status manager: a status set while other sends are in flight goes out without waiting for them', async () => {
  const { fake, sm } = setup();
  const release = fake.hold();
  sm.setPodStatus(pod(), status('Pending'));
  await settle();
  assert.equal(fake.calls.length, 1);
  const other = pod({ uid: 'uid-2' });
  other.metadata.name = 'db';
  sm.setPodStatus(other, status('Running'));
  await settle();
  // web's PATCH is still held; db's is sent by a free lane.
  assert.deepEqual(fake.calls.map((c) => c.path), ['/api/v1/namespaces/ns/pods/web/status', '/api/v1/namespaces/ns/pods/db/status']);
  release();
  await settle();
  assert.equal(fake.calls.length, 2);
  await sm.dispose();
});

test('status manager: retries a failed send with back-off, and the 10 s batch resends', async () => {
  const { clock, fake, sm } = setup();
  fake.failures.push(new NodeletError(ErrorCode.Unavailable, 'down'), new NodeletError(ErrorCode.Unavailable, 'down'), new NodeletError(ErrorCode.Unavailable, 'down'));
  sm.setPodStatus(pod(), status('Running'));
  await settle();
  assert.equal(fake.calls.length, 1);
  await clock.advance(499);
  assert.equal(fake.calls.length, 1);
  await clock.advance(1);
  assert.equal(fake.calls.length, 2);
  await clock.advance(1000);
  assert.equal(fake.calls.length, 3);
  await clock.advance(10_000);
  assert.equal(fake.calls.length, 4);
  await clock.advance(10_000);
  assert.equal(fake.calls.length, 4, 'sent: nothing left to send');
  await sm.dispose();
});

test('status manager: a pod the apiserver does not have is dropped; a replaced pod (Conflict) is not retried', async () => {
  const { clock, fake, sm } = setup();
  fake.failures.push(new NodeletError(ErrorCode.NotFound, 'pods "web" not found'));
  sm.setPodStatus(pod(), status('Running'));
  await settle();
  assert.equal(sm.getPodStatus('uid-1'), undefined);
  fake.failures.push(new NodeletError(ErrorCode.Conflict, 'Precondition failed: UID'));
  sm.setPodStatus(pod({ uid: 'uid-2' }), status('Running'));
  await settle();
  await clock.advance(20_000);
  assert.equal(fake.calls.length, 2);
  await sm.dispose();
});

test('status manager: a static pod reports through its mirror pod once there is one', async () => {
  const known: { mirror?: PodRef } = {};
  const { clock, fake, sm } = setup(() => known.mirror);
  sm.setPodStatus(pod({ static: true }), status('Running'));
  await settle();
  assert.equal(fake.calls.length, 0);
  known.mirror = { name: 'web-node1', namespace: 'kube-system', uid: 'mirror-uid' };
  await clock.advance(10_000);
  assert.equal(fake.calls.length, 1);
  assert.equal(fake.calls[0]?.path, '/api/v1/namespaces/kube-system/pods/web-node1/status');
  assert.deepEqual((fake.calls[0]?.body as { metadata: unknown }).metadata, { uid: 'mirror-uid' });
  sm.podTerminated(pod({ static: true, deleting: true }));
  await settle();
  assert.equal(fake.calls.length, 1, 'mirror pods are not deleted by the status manager');
  await sm.dispose();
});

test('status manager: confirms the deletion of a terminated pod after its final status', async () => {
  const { fake, sm } = setup();
  sm.setPodStatus(pod(), status('Running'));
  await settle();
  sm.podTerminated(pod());
  await settle();
  assert.equal(fake.calls.length, 1, 'no deletionTimestamp: no delete');
  sm.setPodStatus(pod({ deleting: true }), status('Succeeded'));
  sm.podTerminated(pod({ deleting: true }));
  await settle();
  assert.deepEqual(
    fake.calls.map((c) => c.method),
    ['patch', 'patch', 'delete'],
  );
  assert.equal(fake.calls[2]?.path, '/api/v1/namespaces/ns/pods/web');
  assert.deepEqual(fake.calls[2]?.body, { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' } });
  assert.equal(sm.getPodStatus('uid-1'), undefined);
  await sm.dispose();
});

test('status manager: standalone keeps statuses locally', async () => {
  const sm = new StatusManager({ clock: new FakeClock(), log: quiet });
  sm.start();
  sm.setPodStatus(pod(), status('Running'));
  assert.deepEqual(sm.getPodStatus('uid-1'), status('Running'));
  sm.removePod('uid-1');
  assert.equal(sm.getPodStatus('uid-1'), undefined);
  await sm.dispose();
});
