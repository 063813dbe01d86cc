import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventCorrelator, DEFAULT_CORRELATOR_OPTIONS } from '../../../../src/agent/events/correlator.js';
import { Events, goDuration } from '../../../../src/agent/events/reasons.js';
import { EventRecorder, MAX_QUEUED_EVENTS } from '../../../../src/agent/events/recorder.js';
import { containerRef, podRef, type InvolvedObject } from '../../../../src/agent/events/refs.js';
import type { KubeClient, PatchType } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';
import type { Pod } from '../../../../src/api/pod-types.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined } as never;
const T = Date.parse('2024-05-01T10:00:00Z');

const clock = (t: { now: number }): Clock => ({ now: () => t.now, sleep: () => Promise.resolve() });

interface Call {
  method: 'create' | 'patch';
  path: string;
  body: unknown;
}

function fakeClient(calls: Call[], failures: Error[] = []): KubeClient {
  const unused = (): never => {
    throw new Error('not used');
  };
  const fail = (): void => {
    const err = failures.shift();
    if (err !== undefined) throw err;
  };
  return {
    server: 'https://fake',
    get: unused,
    list: unused,
    update: unused,
    delete: unused,
    watch: unused,
    close: () => undefined,
    create: async (path: string, body: KubeObject): Promise<KubeObject> => {
      calls.push({ method: 'create', path, body: structuredClone(body) });
      fail();
      return body;
    },
    patch: async (path: string, _t: PatchType, body: unknown): Promise<KubeObject> => {
      calls.push({ method: 'patch', path, body: structuredClone(body) });
      fail();
      return { apiVersion: 'v1', kind: 'Event', metadata: {} };
    },
  };
}

const thePod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', resourceVersion: '7' },
  spec: { containers: [{ name: 'app', image: 'busybox' }], initContainers: [{ name: 'init', image: 'busybox' }] },
};

test('events: created with upstream fields, then aggregated by count within 10 minutes', async () => {
  const calls: Call[] = [];
  const t = { now: T };
  const rec = new EventRecorder({ client: fakeClient(calls), clock: clock(t), log: quiet, nodeName: 'node-1' });
  const ref = containerRef(thePod, 'app');
  rec.record(ref, Events.pulling('busybox'));
  await rec.flush();
  t.now += 60_000;
  rec.record(ref, Events.pulling('busybox'));
  await rec.flush();
  assert.deepEqual(calls.map((c) => c.method), ['create', 'patch']);
  const created = calls[0]?.body as Record<string, unknown>;
  const name = (created.metadata as { name: string }).name;
  assert.match(name, /^web\.[0-9a-f]{16}$/);
  assert.equal(calls[0]?.path, '/api/v1/namespaces/ns/events');
  assert.deepEqual(created.involvedObject, { kind: 'Pod', namespace: 'ns', name: 'web', uid: 'uid-1', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{app}' });
  assert.equal(created.reason, 'Pulling');
  assert.equal(created.message, 'Pulling image "busybox"');
  assert.equal(created.type, 'Normal');
  assert.deepEqual(created.source, { component: 'kubelet', host: 'node-1' });
  assert.equal(created.reportingComponent, 'kubelet');
  assert.equal(created.reportingInstance, 'node-1');
  assert.equal(created.firstTimestamp, '2024-05-01T10:00:00Z');
  assert.equal(created.count, 1);
  assert.equal(created.eventTime, null);
  assert.equal(calls[1]?.path, `/api/v1/namespaces/ns/events/${name}`);
  assert.deepEqual(calls[1]?.body, { count: 2, lastTimestamp: '2024-05-01T10:01:00Z' });

  // Past the window a new Event is created; a different message is a different Event.
  t.now += 11 * 60_000;
  rec.record(ref, Events.pulling('busybox'));
  rec.record(ref, Events.pulling('other'));
  await rec.flush();
  assert.deepEqual(calls.map((c) => c.method), ['create', 'patch', 'create', 'create']);
  await rec.dispose();
});

test('events: an aggregated event deleted meanwhile is created again with its count', async () => {
  const calls: Call[] = [];
  const failures: Error[] = [];
  const t = { now: T };
  const rec = new EventRecorder({ client: fakeClient(calls, failures), clock: clock(t), log: quiet, nodeName: 'n' });
  rec.record(podRef(thePod), Events.sandboxChanged());
  await rec.flush();
  failures.push(new NodeletError(ErrorCode.NotFound, 'gone'));
  rec.record(podRef(thePod), Events.sandboxChanged());
  await rec.flush();
  assert.deepEqual(calls.map((c) => c.method), ['create', 'patch', 'create']);
  assert.equal((calls[2]?.body as { count: number }).count, 2);
  await rec.dispose();
});

test('events: transient failures are retried, then the event is dropped', async () => {
  const calls: Call[] = [];
  const down = (): Error => new NodeletError(ErrorCode.Unavailable, 'down');
  const rec = new EventRecorder({ client: fakeClient(calls, [down(), down(), down(), down()]), clock: clock({ now: T }), log: quiet, nodeName: 'n' });
  rec.record(podRef(thePod), Events.started('app'));
  await rec.flush();
  assert.equal(calls.length, 3);
  rec.record(podRef(thePod), Events.started('app'));
  await rec.flush();
  assert.equal(calls.length, 5, 'one failure left, then created');
  assert.deepEqual(calls.map((c) => c.method), ['create', 'create', 'create', 'create', 'create']);
  await rec.dispose();
});

test('events: the queue is bounded (oldest dropped) and standalone only logs', async () => {
  const calls: Call[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const client = fakeClient(calls);
  const slow: KubeClient = { ...client, create: async (p, b) => (await gate, client.create(p, b)) };
  const rec = new EventRecorder({ client: slow, clock: clock({ now: T }), log: quiet, nodeName: 'n', correlator: { ...DEFAULT_CORRELATOR_OPTIONS, spamBurst: 10_000 } });
  for (let i = 0; i < MAX_QUEUED_EVENTS + 10; i++) rec.record(podRef(thePod), Events.created(`c${i}`));
  release();
  await rec.flush();
  // c0 was in flight; c1..c1009 queued into 1000 places: c1..c9 dropped.
  assert.equal(calls.length, MAX_QUEUED_EVENTS + 1);
  assert.equal((calls[1]?.body as { message: string }).message, 'Created container c10');

  const logged: unknown[] = [];
  const standalone = new EventRecorder({ clock: clock({ now: T }), log: { info: () => undefined, warn: () => undefined, debug: (...a: unknown[]) => logged.push(a) } as never, nodeName: 'n' });
  standalone.record(podRef(thePod), Events.killing('app'));
  await standalone.flush();
  assert.equal(logged.length, 1);
  await rec.dispose();
});

test('correlator: spam filter allows a burst of 25 per object, then one per 5 minutes', () => {
  const c = new EventCorrelator();
  const involved: InvolvedObject = podRef(thePod);
  let allowed = 0;
  for (let i = 0; i < 30; i++) if (c.decide({ involved, type: 'Normal', reason: 'R', message: `m${i}`, at: T }).action !== 'drop') allowed++;
  assert.equal(allowed, 25);
  assert.equal(c.decide({ involved, type: 'Normal', reason: 'R', message: 'x', at: T + 299_000 }).action, 'drop');
  assert.equal(c.decide({ involved, type: 'Normal', reason: 'R', message: 'x', at: T + 300_000 }).action, 'create');
  const other = { ...involved, name: 'other', uid: 'u2' };
  assert.equal(c.decide({ involved: other, type: 'Normal', reason: 'R', message: 'x', at: T }).action, 'create');
});

test('event messages use upstream wording', () => {
  assert.equal(Events.pulled('busybox', 1234).message, 'Successfully pulled image "busybox" in 1.234s');
  assert.equal(Events.pulled('busybox', 1200, { totalMs: 1500, sizeBytes: 10 }).message, 'Successfully pulled image "busybox" in 1.2s (1.5s including waiting). Image size: 10 bytes.');
  assert.equal(Events.alreadyPresent('busybox').message, 'Container image "busybox" already present on machine');
  assert.equal(Events.backOffRestart('app', thePod).message, 'Back-off restarting failed container app in pod web_ns(uid-1)');
  assert.deepEqual(Events.backOffPull('busybox'), { type: 'Normal', reason: 'BackOff', message: 'Back-off pulling image "busybox"' });
  assert.deepEqual(Events.error('ErrImagePull'), { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
  assert.equal(Events.killing('app').message, 'Stopping container app');
  assert.equal(Events.failedMount('cfg', 'configmap "x" not found').reason, 'FailedMount');
  assert.equal(Events.failedCreatePodSandBox('boom').reason, 'FailedCreatePodSandBox');
  assert.equal(containerRef(thePod, 'init').fieldPath, 'spec.initContainers{init}');
  assert.deepEqual(['0s', '523ms', '1s', '1m1.5s', '1h0m0s'], [0, 523, 1000, 61_500, 3_600_000].map(goDuration));
});
