import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/pod-types.js';
import type { Clock } from '../../../src/base/clock.js';
import { createLogger } from '../../../src/base/log.js';
import { PodWorkers, type PodStatusSink } from '../../../src/agent/pod-workers.js';
import type { SyncResult } from '../../../src/agent/pod-sync.js';
import type { PodRuntimeState } from '../../../src/agent/runtime-state.js';

const log = createLogger({ level: 'error' });
const clock: Clock = { now: () => Date.now(), sleep: () => new Promise(() => undefined) };

function pod(uid: string, extra: Partial<Pod['metadata']> = {}, restartPolicy: 'Always' | 'Never' = 'Always'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${uid}`, namespace: 'default', uid, ...extra }, spec: { restartPolicy, containers: [{ name: 'c', image: 'i' }] } };
}

function harness(syncResult: (p: Pod) => Partial<SyncResult> = () => ({})) {
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  const sync = {
    sync: async (p: Pod, _signal: AbortSignal, opts?: { cachedRuntime?: boolean }): Promise<SyncResult> => {
      calls.push(`sync ${p.metadata.uid} ${p.metadata.labels?.['v'] ?? ''}${opts?.cachedRuntime === true ? 'cached' : ''}`);
      if (gate !== undefined) await gate;
      return { runtime: undefined, waiting: new Map(), initFailed: undefined, retryInMs: undefined, ...syncResult(p) };
    },
    kill: async (p: Pod, grace: number): Promise<PodRuntimeState | undefined> => {
      calls.push(`kill ${p.metadata.uid} ${grace}`);
      return undefined;
    },
    cleanup: async (uid: string): Promise<void> => {
      calls.push(`cleanup ${uid}`);
    },
  };
  const status: PodStatusSink = {
    update: (p) => calls.push(`status ${p.metadata.uid}`),
    terminated: (p) => calls.push(`terminated ${p.metadata.uid}`),
    removed: (uid) => calls.push(`removed ${uid}`),
  };
  const workers = new PodWorkers({ sync, status, clock, log });
  return {
    calls,
    workers,
    hold: () => {
      gate = new Promise((resolve) => (release = resolve));
    },
    release: () => {
      gate = undefined;
      release?.();
    },
  };
}

test('a new pod is synced and its status reported', async () => {
  const h = harness();
  h.workers.setPod(pod('a'));
  await h.workers.settled();
  assert.deepEqual(h.calls, ['sync a ', 'status a']);
});

test('updates during a sync coalesce: the newest pod wins, one more pass', async () => {
  const h = harness();
  h.hold();
  h.workers.setPod(pod('a', { labels: { v: '1' } }));
  h.workers.setPod(pod('a', { labels: { v: '2' } }));
  h.workers.setPod(pod('a', { labels: { v: '3' } }));
  h.release();
  await h.workers.settled();
  assert.deepEqual(h.calls.filter((c) => c.startsWith('sync')), ['sync a 1', 'sync a 3']);
});

test('a deleted pod is killed with its grace period, reported terminated, then cleaned up when removed', async () => {
  const h = harness();
  h.workers.setPod(pod('a'));
  await h.workers.settled();
  h.workers.setPod(pod('a', { deletionTimestamp: '2026-11-29T00:00:00Z', deletionGracePeriodSeconds: 7 }));
  await h.workers.settled();
  assert.deepEqual(h.calls.slice(2), ['kill a 7', 'status a', 'terminated a']);
  h.workers.removePod('a');
  await h.workers.settled();
  assert.deepEqual(h.calls.slice(5), ['cleanup a', 'removed a']);
  assert.equal(h.workers.knows('a'), false);
});

test('a finished Never pod terminates without being removed', async () => {
  const finished = (p: Pod): Partial<SyncResult> => ({
    runtime: { uid: p.metadata.uid, name: 'x', namespace: 'default', sandboxes: [], containers: [{ id: 'c1', name: 'c', attempt: 0, sandboxId: 's', state: 'exited', createdAt: 1n, startedAt: 1n, finishedAt: 2n, exitCode: 0, reason: '', message: '', image: 'i', imageRef: 'r', hash: 'h', restartCount: 0, type: 'app' }] },
  });
  const h = harness(finished);
  h.workers.setPod(pod('a', {}, 'Never'));
  await h.workers.settled();
  assert.deepEqual(h.calls, ['sync a ', 'status a', 'kill a 30', 'status a', 'terminated a']);
  assert.equal(h.workers.knows('a'), true);
});

test('an unknown uid from the runtime is cleaned up only once sources are known', async () => {
  const h = harness();
  h.workers.runtimeChanged('orphan', false);
  await h.workers.settled();
  assert.deepEqual(h.calls, []);
  h.workers.runtimeChanged('orphan', true);
  await h.workers.settled();
  assert.deepEqual(h.calls, ['cleanup orphan', 'removed orphan']);
});

test('removing a pod cancels its sync in flight (a long image pull) and goes on to clean up', async () => {
  const calls: string[] = [];
  const sync = {
    sync: (p: Pod, signal: AbortSignal): Promise<SyncResult> => {
      calls.push(`sync ${p.metadata.uid}`);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true }));
    },
    kill: async (p: Pod): Promise<PodRuntimeState | undefined> => {
      calls.push(`kill ${p.metadata.uid}`);
      return undefined;
    },
    cleanup: async (uid: string): Promise<void> => {
      calls.push(`cleanup ${uid}`);
    },
  };
  const status: PodStatusSink = { update: () => undefined, terminated: (p) => calls.push(`terminated ${p.metadata.uid}`), removed: (uid) => calls.push(`removed ${uid}`) };
  const workers = new PodWorkers({ sync, status, clock, log });
  workers.setPod(pod('a'));
  await new Promise((resolve) => setImmediate(resolve));
  workers.removePod('a');
  await workers.settled();
  assert.deepEqual(calls, ['sync a', 'kill a', 'terminated a', 'cleanup a', 'removed a']);
});

test('a pass woken by PLEG may plan from the relist it was woken by; other passes read the runtime', async () => {
  const h = harness();
  h.workers.setPod(pod('a'));
  await h.workers.settled();
  h.workers.runtimeChanged('a', true);
  await h.workers.settled();
  h.workers.resyncAll();
  await h.workers.settled();
  assert.deepEqual(h.calls.filter((c) => c.startsWith('sync')), ['sync a ', 'sync a cached', 'sync a ']);
});
