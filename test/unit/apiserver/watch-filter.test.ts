// Store events to API watch events for a selection, as upstream's cacheWatcher converts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { toApiWatchEvent } from '../../../src/apiserver/registry/watch-filter.js';
import type { KeyValue, WatchEvent } from '../../../src/apiserver/storage/store.js';

function kv(name: string, labels: Record<string, string>, rev: number): KeyValue {
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'd', labels } });
  return { key: `/registry/configmaps/d/${name}`, value, createRevision: 1, modRevision: rev };
}

const red = (o: KubeObject): boolean => o.metadata.labels?.team === 'red';

function convert(ev: WatchEvent): string | undefined {
  const out = toApiWatchEvent(ev, red);
  return out === undefined ? undefined : `${out.type} ${out.object.metadata.resourceVersion ?? ''} ${out.object.metadata.labels?.team ?? ''}`;
}

test('created: ADDED when it matches, nothing otherwise', () => {
  assert.equal(convert({ type: 'PUT', kv: kv('a', { team: 'red' }, 5) }), 'ADDED 5 red');
  assert.equal(convert({ type: 'PUT', kv: kv('a', { team: 'blue' }, 5) }), undefined);
});

test('updated: MODIFIED staying in, ADDED entering, DELETED (old state, new version) leaving', () => {
  assert.equal(convert({ type: 'PUT', kv: kv('a', { team: 'red' }, 6), prevKv: kv('a', { team: 'red' }, 5) }), 'MODIFIED 6 red');
  assert.equal(convert({ type: 'PUT', kv: kv('a', { team: 'red' }, 6), prevKv: kv('a', { team: 'blue' }, 5) }), 'ADDED 6 red');
  assert.equal(convert({ type: 'PUT', kv: kv('a', { team: 'blue' }, 6), prevKv: kv('a', { team: 'red' }, 5) }), 'DELETED 6 red');
  assert.equal(convert({ type: 'PUT', kv: kv('a', { team: 'blue' }, 6), prevKv: kv('a', { team: 'green' }, 5) }), undefined);
});

test('deleted: DELETED with the last state at the deletion revision, when it matched', () => {
  assert.equal(convert({ type: 'DELETE', kv: kv('a', { team: 'red' }, 7), prevKv: kv('a', { team: 'red' }, 6) }), 'DELETED 7 red');
  assert.equal(convert({ type: 'DELETE', kv: kv('a', { team: 'blue' }, 7), prevKv: kv('a', { team: 'blue' }, 6) }), undefined);
});
