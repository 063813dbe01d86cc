import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import winston from 'winston';
import type { KubeClient, WatchEvent } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';
import type { Pod } from '../../../../src/api/pod-types.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ApiSource } from '../../../../src/agent/sources/api-source.js';
import type { RunReflector } from '../../../../src/agent/sources/api-source.js';

const clock: Clock = { now: () => 0, sleep: async () => {} };
const silent = winston.createLogger({ silent: true });
// The fake reflector never calls the client.
const client = {} as KubeClient;

type Handlers = Parameters<RunReflector>[1]['handlers'];

/** A reflector that records how it was started and lets the test drive its handlers. */
function fakeReflector() {
  const state: { path?: string; fieldSelector?: string | undefined; handlers?: Handlers; stopped: boolean } = { stopped: false };
  const run: RunReflector = (_deps, opts) => {
    state.path = opts.path;
    state.fieldSelector = opts.fieldSelector;
    state.handlers = opts.handlers;
    return new Promise((resolve) => opts.signal.addEventListener('abort', () => {
      state.stopped = true;
      resolve();
    }));
  };
  const handlers = (): Handlers => {
    assert.ok(state.handlers, 'reflector started');
    return state.handlers;
  };
  return { run, state, handlers };
}

function raw(name: string, opts: { image?: unknown; mirror?: string; uid?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: opts.uid ?? `uid-${name}`,
      resourceVersion: '5',
      ...(opts.mirror !== undefined ? { annotations: { 'kubernetes.io/config.mirror': opts.mirror } } : {}),
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'c', image: (opts.image ?? 'img:1') as string }] },
  };
}

function setup() {
  const reflector = fakeReflector();
  const snapshots: Pod[][] = [];
  const mirrors: Pod[][] = [];
  const errors: Array<{ key: string; err: unknown }> = [];
  const source = new ApiSource(
    { client, clock, log: silent, runReflector: reflector.run },
    {
      nodeName: 'node-a',
      onSnapshot: (p) => snapshots.push(p),
      onMirrorPods: (p) => mirrors.push(p),
      onError: (key, err) => errors.push({ key, err }),
    },
  );
  source.start();
  const names = (list: Pod[][]): string[] => (list.at(-1) ?? []).map((p) => p.metadata.name).sort();
  return { reflector, source, snapshots, mirrors, errors, names };
}

describe('ApiSource', () => {
  it('reflects the pods bound to this node', async () => {
    const { reflector, source } = setup();
    assert.equal(reflector.state.path, '/api/v1/pods');
    assert.equal(reflector.state.fieldSelector, 'spec.nodeName=node-a');
    await source.dispose();
    assert.equal(reflector.state.stopped, true, 'dispose stops the reflector');
  });

  it('pushes a full snapshot after the list and after each event', async () => {
    const { reflector, source, snapshots, names } = setup();
    reflector.handlers().replace([raw('a'), raw('b')], '10');
    assert.deepEqual(names(snapshots), ['a', 'b']);
    const ev = (type: WatchEvent['type'], obj: KubeObject): void => reflector.handlers().event({ type, object: obj });
    ev('ADDED', raw('c'));
    assert.deepEqual(names(snapshots), ['a', 'b', 'c']);
    ev('MODIFIED', raw('a', { image: 'img:2' }));
    assert.equal(snapshots.at(-1)?.find((p) => p.metadata.name === 'a')?.spec.containers[0]?.image, 'img:2');
    ev('DELETED', raw('b'));
    assert.deepEqual(names(snapshots), ['a', 'c']);
    const count = snapshots.length;
    ev('BOOKMARK', { apiVersion: 'v1', kind: 'Pod', metadata: { resourceVersion: '20' } });
    assert.equal(snapshots.length, count, 'bookmarks change nothing');
    reflector.handlers().replace([raw('c')], '30');
    assert.deepEqual(names(snapshots), ['c'], 'a relist replaces the whole set');
    await source.dispose();
  });

  it('sends mirror pods to the mirror listener, not as desired pods', async () => {
    const { reflector, source, snapshots, mirrors, names } = setup();
    reflector.handlers().replace([raw('a'), raw('static-node-a', { mirror: 'hash1' })], '10');
    assert.deepEqual(names(snapshots), ['a']);
    assert.deepEqual(names(mirrors), ['static-node-a']);
    reflector.handlers().event({ type: 'DELETED', object: raw('static-node-a', { mirror: 'hash1' }) });
    assert.deepEqual(names(mirrors), []);
    await source.dispose();
  });

  it('reports and skips pods that do not parse; a bad update drops the pod', async () => {
    const { reflector, source, snapshots, errors, names } = setup();
    reflector.handlers().replace([raw('a'), raw('bad', { image: 7 })], '10');
    assert.deepEqual(names(snapshots), ['a']);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.key, 'default/bad');
    assert.match(String(errors[0]?.err), /spec\.containers\[0\]\.image: must be a string/);
    reflector.handlers().event({ type: 'MODIFIED', object: raw('a', { image: 7 }) });
    assert.deepEqual(names(snapshots), []);
    assert.equal(errors.length, 2);
    await source.dispose();
  });
});
