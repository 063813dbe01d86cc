// The registry's write semantics on an in-memory store: server-set metadata, optimistic
// concurrency, status/main separation, graceful deletion, finalizers, and chunked lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../../src/base/clock.js';
import type { KubeObject } from '../../../src/api/object.js';
import { ObjectStore } from '../../../src/apiserver/registry/object-store.js';
import { Registry } from '../../../src/apiserver/registry/registry.js';
import { deleteObject, finalizersFor, gracePeriodFor } from '../../../src/apiserver/registry/delete.js';
import { listObjects } from '../../../src/apiserver/registry/list.js';
import type { ObjectAdmission } from '../../../src/apiserver/registry/hooks.js';
import { findResource, type ResourceInfo } from '../../../src/apiserver/resources.js';
import { ApiError } from '../../../src/apiserver/status.js';
import { MemoryStore } from './memory-store.js';

function resource(name: string, group = ''): ResourceInfo {
  const r = findResource(group, 'v1', name);
  assert.ok(r !== undefined);
  return r;
}

const pods = resource('pods');
const cms = resource('configmaps');
const namespaces = resource('namespaces');

const noAdmission: ObjectAdmission = { applyDefaults: () => undefined, validate: () => [], invalidMessage: () => 'invalid' };

function setup(): { reg: Registry; clock: Clock & { t: number }; store: MemoryStore } {
  const store = new MemoryStore();
  const clock = { t: Date.parse('2026-01-02T03:04:05.678Z'), now() { return this.t; }, sleep: () => Promise.resolve() };
  let n = 0;
  const reg = new Registry({ objects: new ObjectStore({ store }), clock, admission: noAdmission, newUid: () => `uid-${++n}`, randomInt: () => 0 });
  return { reg, clock, store };
}

async function withNamespace(reg: Registry, name = 'default'): Promise<void> {
  await reg.create(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { dryRun: false });
}

function pod(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } } as KubeObject;
}

function expectApiError(code: number): (e: unknown) => boolean {
  return (e) => e instanceof ApiError && e.code === code;
}

test('create fills uid, creationTimestamp (seconds), generation, resourceVersion, initial status', async () => {
  const { reg } = setup();
  await withNamespace(reg);
  const p = await reg.create(pods, 'default', pod('p'), { dryRun: false });
  assert.equal(p.metadata.uid, 'uid-2');
  assert.equal(p.metadata.creationTimestamp, '2026-01-02T03:04:05Z');
  assert.equal(p.metadata.generation, 1);
  assert.equal(p.metadata.resourceVersion, '2');
  assert.deepEqual(p.status, { phase: 'Pending' });
  await assert.rejects(reg.create(pods, 'default', pod('p'), { dryRun: false }), expectApiError(409));
  await assert.rejects(reg.create(pods, 'nope', pod('q'), { dryRun: false }), expectApiError(404));
  const gen = await reg.create(pods, 'default', { ...pod(''), metadata: { generateName: 'g-' } }, { dryRun: false });
  assert.equal(gen.metadata.name, 'g-bbbbb');
});

test('update: stale resourceVersion is 409, unconditional retries, no-op writes nothing, status kept', async () => {
  const { reg, store } = setup();
  await withNamespace(reg);
  const p = await reg.create(pods, 'default', pod('p'), { dryRun: false });
  const stale = { ...p, metadata: { ...p.metadata, resourceVersion: '1' } };
  await assert.rejects(reg.update(pods, 'default', 'p', { target: '', dryRun: false, compute: () => stale }), expectApiError(409));
  const before = await store.currentRevision();
  const same = await reg.update(pods, 'default', 'p', { target: '', dryRun: false, compute: (cur) => cur });
  assert.equal(same.object.metadata.resourceVersion, p.metadata.resourceVersion);
  assert.equal(await store.currentRevision(), before);
  const changed = await reg.update(pods, 'default', 'p', {
    target: '',
    dryRun: false,
    compute: (cur) => ({ ...cur, metadata: { ...cur.metadata, resourceVersion: '' }, spec: { containers: [{ name: 'c', image: 'j' }] }, status: { phase: 'Running' } }),
  });
  assert.equal(changed.object.metadata.generation, 2);
  assert.deepEqual(changed.object.status, { phase: 'Pending' }, 'the main resource does not write status');
  const status = await reg.update(pods, 'default', 'p', { target: 'status', dryRun: false, compute: (cur) => ({ ...cur, spec: {}, status: { phase: 'Running' } }) });
  assert.deepEqual(status.object.status, { phase: 'Running' });
  assert.deepEqual(status.object.spec, changed.object.spec, 'status does not write the spec');
  assert.equal(status.object.metadata.generation, 2);
});

test('graceful pod deletion, shortening, confirmation; grace rules', async () => {
  const { reg, clock } = setup();
  await withNamespace(reg);
  await reg.create(pods, 'default', pod('p', { nodeName: 'n', terminationGracePeriodSeconds: 10 }), { dryRun: false });
  const first = await deleteObject(reg, pods, 'default', 'p', { dryRun: false });
  assert.equal(first.deleted, false);
  assert.equal(first.object.metadata.deletionGracePeriodSeconds, 10);
  assert.equal(first.object.metadata.deletionTimestamp, '2026-01-02T03:04:15Z');
  assert.equal(first.object.metadata.generation, 2);
  clock.t += 2000;
  const pending = await deleteObject(reg, pods, 'default', 'p', { dryRun: false });
  assert.equal(pending.object.metadata.resourceVersion, first.object.metadata.resourceVersion);
  const shorter = await deleteObject(reg, pods, 'default', 'p', { dryRun: false, gracePeriodSeconds: 3 });
  assert.equal(shorter.object.metadata.deletionGracePeriodSeconds, 3);
  assert.equal(shorter.object.metadata.deletionTimestamp, '2026-01-02T03:04:08Z');
  const done = await deleteObject(reg, pods, 'default', 'p', { dryRun: false, gracePeriodSeconds: 0 });
  assert.equal(done.deleted, true);
  await assert.rejects(reg.get(pods, 'default', 'p'), expectApiError(404));

  const scheduled = pod('x', { nodeName: 'n' });
  assert.equal(gracePeriodFor(pods, scheduled, undefined), 30);
  assert.equal(gracePeriodFor(pods, scheduled, -5), 1);
  assert.equal(gracePeriodFor(pods, pod('x'), 30), 0, 'unscheduled');
  assert.equal(gracePeriodFor(pods, { ...scheduled, status: { phase: 'Succeeded' } }, undefined), 0, 'terminated');
  assert.equal(gracePeriodFor(cms, scheduled, 30), 0, 'only pods are graceful');
});

test('finalizers hold a deletion; removing the last one removes the object', async () => {
  const { reg } = setup();
  await withNamespace(reg);
  await reg.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', finalizers: ['x/y'] } }, { dryRun: false });
  const res = await deleteObject(reg, cms, 'default', 'c', { dryRun: false });
  assert.equal(res.deleted, false);
  assert.equal(res.object.metadata.deletionTimestamp, '2026-01-02T03:04:05Z');
  await reg.update(cms, 'default', 'c', {
    target: '',
    dryRun: false,
    compute: (cur) => ({ ...cur, metadata: { ...cur.metadata, finalizers: [] } }),
  });
  await assert.rejects(reg.get(cms, 'default', 'c'), expectApiError(404));
  assert.deepEqual(finalizersFor(['a', 'orphan'], 'Foreground'), ['a', 'foregroundDeletion']);
  assert.deepEqual(finalizersFor(['a', 'orphan'], 'Background'), ['a']);
  assert.deepEqual(finalizersFor(['a', 'orphan'], undefined), ['a', 'orphan']);
});

test('lists: limit counts matches, pages share a revision, an expired token is 410 with a fresh one', async () => {
  const { reg, store, clock } = setup();
  await withNamespace(reg);
  for (let i = 0; i < 9; i++) {
    await reg.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, labels: { odd: String(i % 2 === 1) } } }, { dryRun: false });
  }
  const odd = (o: KubeObject): boolean => o.metadata.labels?.odd === 'true';
  const first = await listObjects(reg.objects, clock, cms, { namespace: 'default', predicate: odd, limit: 2 });
  assert.deepEqual(first.items.map((o) => o.metadata.name), ['c1', 'c3']);
  assert.ok(first.continueToken !== undefined);
  await reg.create(cms, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c10', labels: { odd: 'true' } } }, { dryRun: false });
  const second = await listObjects(reg.objects, clock, cms, { namespace: 'default', predicate: odd, limit: 2, continueToken: first.continueToken });
  assert.deepEqual(second.items.map((o) => o.metadata.name), ['c5', 'c7'], 'c10 came later than the snapshot');
  assert.equal(second.resourceVersion, first.resourceVersion);
  await store.compact(await store.currentRevision());
  await assert.rejects(
    listObjects(reg.objects, clock, cms, { namespace: 'default', predicate: odd, limit: 2, continueToken: second.continueToken }),
    (e: unknown) => e instanceof ApiError && e.code === 410 && typeof e.status.metadata.continue === 'string',
  );
  await assert.rejects(listObjects(reg.objects, clock, cms, { namespace: 'other', continueToken: first.continueToken }), expectApiError(400));
});
