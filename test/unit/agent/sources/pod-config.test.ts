import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../../../src/api/pod-types.js';
import type { Clock } from '../../../../src/base/clock.js';
import { PodConfig } from '../../../../src/agent/sources/pod-config.js';
import type { PodChange, PodSource } from '../../../../src/agent/sources/pod-config.js';

class TickClock implements Clock {
  t = Date.UTC(2024, 0, 1);
  now(): number {
    return this.t;
  }
  async sleep(): Promise<void> {}
}

function pod(uid: string, opts: { image?: string; annotations?: Record<string, string>; rv?: string; phase?: Pod['status'] } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `p-${uid}`,
      namespace: 'default',
      uid,
      ...(opts.rv !== undefined ? { resourceVersion: opts.rv } : {}),
      ...(opts.annotations !== undefined ? { annotations: opts.annotations } : {}),
    },
    spec: { containers: [{ name: 'c', image: opts.image ?? 'img:1' }] },
    ...(opts.phase !== undefined ? { status: opts.phase } : {}),
  };
}

function setup(sources: PodSource[] = ['file', 'api']) {
  const clock = new TickClock();
  const batches: PodChange[][] = [];
  const config = new PodConfig({ clock }, { sources, onChanges: (c) => batches.push(c) });
  /** The last batch as compact strings: `set api a`, `remove file b`. */
  const last = (): string[] =>
    (batches.at(-1) ?? []).map((c) => (c.op === 'set' ? `set ${c.source} ${c.pod.metadata.uid}` : `remove ${c.source} ${c.uid}`)).sort();
  return { clock, batches, config, last };
}

describe('PodConfig', () => {
  it('emits sets for new pods and removes for gone ones, per source', () => {
    const { config, last, batches } = setup();
    config.update('api', [pod('a'), pod('b')]);
    assert.deepEqual(last(), ['set api a', 'set api b']);
    config.update('file', [pod('s')]);
    assert.deepEqual(last(), ['set file s']);
    config.update('api', [pod('b')]);
    assert.deepEqual(last(), ['remove api a']);
    assert.equal(batches.length, 3);
    assert.deepEqual(config.pods().map((p) => `${p.source} ${p.pod.metadata.uid}`).sort(), ['api b', 'file s']);
  });

  it('does not re-emit a pod that did not change, nor for status, resourceVersion or config.seen', () => {
    const { config, batches, clock } = setup();
    config.update('api', [pod('a', { rv: '1' })]);
    assert.equal(batches.length, 1);
    clock.t += 60_000;
    config.update('api', [pod('a', { rv: '2', phase: { phase: 'Running' } })]);
    config.update('file', []);
    config.update('file', []);
    config.update('api', [pod('a', { rv: '3', annotations: { 'kubernetes.io/config.seen': 'later' } })]);
    assert.equal(batches.length, 1, 'no change batches');
    assert.equal(config.getPod('a')?.status, undefined, 'getPod has the newest object');
    assert.equal(config.getPod('a')?.metadata.resourceVersion, '3');
  });

  it('re-emits a pod whose spec, labels or annotations changed', () => {
    const { config, last, batches } = setup();
    config.update('api', [pod('a')]);
    config.update('api', [pod('a', { image: 'img:2' })]);
    assert.equal(batches.length, 2);
    assert.deepEqual(last(), ['set api a']);
    config.update('api', [pod('a', { image: 'img:2', annotations: { x: 'y' } })]);
    assert.equal(batches.length, 3);
  });

  it('annotates every pod with its source and a stable first-seen time', () => {
    const { config, clock } = setup();
    config.update('api', [pod('a')]);
    const seen = config.getPod('a')?.metadata.annotations?.['kubernetes.io/config.seen'];
    assert.equal(seen, '2024-01-01T00:00:00.000Z');
    assert.equal(config.getPod('a')?.metadata.annotations?.['kubernetes.io/config.source'], 'api');
    clock.t += 5000;
    config.update('api', [pod('a', { image: 'img:2' })]);
    assert.equal(config.getPod('a')?.metadata.annotations?.['kubernetes.io/config.seen'], seen, 'first seen stays');
    const fileSeen = pod('s', { annotations: { 'kubernetes.io/config.seen': '2020-01-01T00:00:00.000Z', 'kubernetes.io/config.source': 'file' } });
    config.update('file', [fileSeen]);
    assert.equal(config.getPod('s'), fileSeen, 'a file pod already annotated is passed through as is');
  });

  it('keeps a static pod over an api pod with the same uid', () => {
    const { config, last } = setup();
    config.update('file', [pod('x', { image: 'static:1' })]);
    config.update('api', [pod('x', { image: 'api:1' })]);
    assert.equal(config.getPod('x')?.spec.containers[0]?.image, 'static:1');
    config.update('file', []);
    assert.deepEqual(last(), ['set api x'], 'once the static pod is gone the api pod is what is desired');
    assert.equal(config.getPod('x')?.spec.containers[0]?.image, 'api:1');
    config.update('file', [pod('x', { image: 'static:1' })]);
    assert.deepEqual(last(), ['set file x']);
  });

  it('is ready once every configured source delivered a first snapshot, even an empty one', () => {
    const { config } = setup();
    assert.equal(config.allSourcesReady(), false);
    config.updater('api')([pod('a')]);
    assert.equal(config.sourceReady('api'), true);
    assert.equal(config.allSourcesReady(), false, 'the file source has not spoken');
    config.updater('file')([]);
    assert.equal(config.allSourcesReady(), true);
    const standalone = setup(['file']);
    standalone.config.update('file', []);
    assert.equal(standalone.config.allSourcesReady(), true, 'standalone mode has only the file source');
  });
});
