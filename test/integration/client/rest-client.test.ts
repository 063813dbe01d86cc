// The REST client and the reflector against a real `nodelet apiserver` (SQLite), with the admin
// kubeconfig it writes (CA + bearer token): CRUD, error codes, all three patch types, watch and
// list-then-watch. (A watch from a compacted version is not provoked here: the apiserver
// compacts every 5 minutes and offers no flag to make that shorter.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadKubeconfig } from '../../../src/api/client/kubeconfig.js';
import { runReflector } from '../../../src/api/client/reflector.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient, WatchEvent } from '../../../src/api/client/types.js';
import type { KubeObject } from '../../../src/api/object.js';
import { systemClock } from '../../../src/base/clock.js';
import { ErrorCode, isNodeletError, type ErrorCode as Code } from '../../../src/base/errors.js';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';

const NS = 'client-it';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;

let apiserver: RunningApiserver;
let client: KubeClient;

before(async () => {
  apiserver = await startApiserver('sqlite');
  const creds = await loadKubeconfig(apiserver.kubeconfig);
  assert.equal(creds.server, apiserver.url);
  assert.ok(creds.ca !== undefined && creds.token !== undefined, 'the admin kubeconfig carries a CA and a token');
  client = createKubeClient({ credentials: creds, userAgent: 'nodelet-client-it' });
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});

after(async () => {
  client?.close();
  await apiserver?.stop();
});

function configMap(name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data };
}

async function rejectsWith(p: Promise<unknown>, code: Code, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isNodeletError(err, code), `expected ${code}, got ${String(err)}`);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const names = (items: KubeObject[]): string[] => items.map((i) => i.metadata.name ?? '').sort();

test('create, get, list with selectors, stale update, patches and delete', async () => {
  const created = await client.create(CMS, configMap('web', { app: 'web' }));
  assert.equal(created.metadata.namespace, NS);
  assert.ok(created.metadata.uid);
  await client.create(CMS, configMap('db', { app: 'db' }));

  const got = await client.get(`${CMS}/web`);
  assert.equal(got.metadata.uid, created.metadata.uid);
  assert.deepEqual(got['data'], { k: 'v' });

  assert.deepEqual(names((await client.list(CMS)).items), ['db', 'web']);
  assert.deepEqual(names((await client.list(CMS, { labelSelector: 'app=web' })).items), ['web']);
  assert.deepEqual(names((await client.list(CMS, { labelSelector: 'app!=web' })).items), ['db']);
  assert.deepEqual(names((await client.list(CMS, { fieldSelector: 'metadata.name=db' })).items), ['db']);
  const page = await client.list(CMS, { limit: 1 });
  assert.equal(page.items.length, 1);
  assert.ok(page.metadata.continue, 'a first page of one has a continue token');
  const rest = await client.list(CMS, { limit: 1, continue: page.metadata.continue });
  assert.deepEqual(names([...page.items, ...rest.items]), ['db', 'web']);
  assert.equal(rest.items[0]?.kind, 'ConfigMap');

  const updated = await client.update(`${CMS}/web`, { ...got, data: { k: 'v2' } });
  assert.notEqual(updated.metadata.resourceVersion, got.metadata.resourceVersion);
  await rejectsWith(client.update(`${CMS}/web`, { ...got, data: { k: 'stale' } }), ErrorCode.Conflict, /the object has been modified/);

  const merged = await client.patch(`${CMS}/web`, 'merge', { data: { merge: '1' } });
  assert.deepEqual(merged['data'], { k: 'v2', merge: '1' });
  const strategic = await client.patch(`${CMS}/web`, 'strategic', { metadata: { labels: { tier: 'front' } } });
  assert.deepEqual(strategic.metadata.labels, { app: 'web', tier: 'front' });
  const jsonPatched = await client.patch(`${CMS}/web`, 'json', [{ op: 'replace', path: '/data/k', value: 'v3' }]);
  assert.deepEqual(jsonPatched['data'], { k: 'v3', merge: '1' });

  await client.delete(`${CMS}/db`);
  await client.delete(`${CMS}/web`, { preconditions: { uid: created.metadata.uid ?? '' } });
  await rejectsWith(client.get(`${CMS}/web`), ErrorCode.NotFound, /configmaps "web" not found/);
});

test('errors map to codes with the server message', async () => {
  await client.create(CMS, configMap('dup'));
  await rejectsWith(client.create(CMS, configMap('dup')), ErrorCode.AlreadyExists, /configmaps "dup" already exists/);
  await rejectsWith(client.create(CMS, configMap('Not_A_Name')), ErrorCode.InvalidArgument, /Invalid value: "Not_A_Name"/);
  await rejectsWith(client.delete(`${CMS}/absent`), ErrorCode.NotFound);
  await rejectsWith(client.patch(`${CMS}/dup`, 'json', [{ op: 'test', path: '/data/k', value: 'other' }]), ErrorCode.InvalidArgument);

  const creds = await loadKubeconfig(apiserver.kubeconfig);
  const stranger = createKubeClient({ credentials: { ...creds, token: 'not-a-valid-token' } });
  try {
    await rejectsWith(stranger.get(`${CMS}/dup`), ErrorCode.PermissionDenied, /Unauthorized/);
  } finally {
    stranger.close();
  }
  const untrusting = createKubeClient({ credentials: { server: creds.server, insecureSkipTlsVerify: false, ...(creds.token ? { token: creds.token } : {}) } });
  try {
    await rejectsWith(untrusting.get(`${CMS}/dup`), ErrorCode.Unavailable, /certificate/);
  } finally {
    untrusting.close();
  }
});

test('watch from a version sees ADDED, MODIFIED and DELETED in order', async () => {
  const from = (await client.list(CMS)).metadata.resourceVersion;
  const obj = await client.create(CMS, configMap('watched'));
  await client.update(`${CMS}/watched`, { ...obj, data: { k: 'changed' } });
  await client.delete(`${CMS}/watched`);

  const seen: string[] = [];
  for await (const ev of client.watch(CMS, { resourceVersion: from, fieldSelector: 'metadata.name=watched' })) {
    seen.push(`${ev.type} ${ev.object.metadata.name ?? ''}`);
    if (seen.length === 3) break;
  }
  assert.deepEqual(seen, ['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
});

test('runReflector delivers replace, then events; abort ends it', { timeout: 60_000 }, async () => {
  await client.create(CMS, configMap('before', { refl: 'yes' }));
  const calls: string[] = [];
  const errors: unknown[] = [];
  let notify: (() => void) | undefined;
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise<void>((resolve) => (notify = resolve));
  };
  const record = (entry: string): void => {
    calls.push(entry);
    notify?.();
  };
  const stop = new AbortController();
  const running = runReflector(
    { client, clock: systemClock },
    {
      path: CMS,
      labelSelector: 'refl=yes',
      signal: stop.signal,
      handlers: {
        replace: (items, rv) => record(`replace ${names(items).join(',')} ${rv === '' ? 'no-rv' : 'rv'}`),
        event: (ev: WatchEvent) => record(`${ev.type} ${ev.object.metadata.name ?? ''}`),
        error: (err) => errors.push(err),
      },
    },
  );
  await until(() => calls.length >= 1);
  await client.create(CMS, configMap('after', { refl: 'yes' }));
  await client.create(CMS, configMap('ignored', { refl: 'no' }));
  await client.patch(`${CMS}/before`, 'merge', { data: { k: 'new' } });
  await until(() => calls.length >= 3);
  stop.abort();
  await running;
  assert.deepEqual(calls, ['replace before rv', 'ADDED after', 'MODIFIED before']);
  assert.deepEqual(errors, []);
});
