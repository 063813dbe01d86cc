// The agent's pod sources against a real `nodelet apiserver` (SQLite) and a temp static pod
// directory, wired as the agent wires them: file source + api source -> PodConfig, and the mirror
// manager fed by both. Checks: api pods bound to the node become changes (others do not); a
// manifest becomes a static pod whose mirror pod appears with the right annotations and Node
// owner; a deleted mirror comes back; an edited manifest replaces the pod and its mirror; a
// malformed manifest is reported and harms nothing; a removed manifest removes pod and mirror.
import assert from 'node:assert/strict';
import { mkdir, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadKubeconfig } from '../../../src/api/client/kubeconfig.js';
import { createKubeClient } from '../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../src/api/client/types.js';
import type { KubeObject } from '../../../src/api/object.js';
import { systemClock } from '../../../src/base/clock.js';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import type { NodeletError } from '../../../src/base/errors.js';
import { createLogger } from '../../../src/base/log.js';
import { MirrorManager } from '../../../src/agent/mirror/mirror-manager.js';
import { ApiSource } from '../../../src/agent/sources/api-source.js';
import { FileSource } from '../../../src/agent/sources/file-source.js';
import { PodConfig } from '../../../src/agent/sources/pod-config.js';
import type { PodChange } from '../../../src/agent/sources/pod-config.js';
import { startApiserver, type RunningApiserver } from '../../harness/apiserver.js';

const NODE = 'node-src';
const NS = 'sources-it';
const STATIC = `web-${NODE}`;
const MIRROR_PATH = `/api/v1/namespaces/default/pods/${STATIC}`;
const log = createLogger({ level: 'error', format: 'text' });

let apiserver: RunningApiserver;
let client: KubeClient;
let manifests: string;
let nodeUid: string;
const changes: PodChange[] = [];
const errors: Array<{ file: string; err: NodeletError }> = [];
let config: PodConfig;
let fileSource: FileSource;
let apiSource: ApiSource;
let mirrors: MirrorManager;

const manifest = (image: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: ${image}\n`;

/** Polls `probe` until it returns a value (not undefined); fails after a generous deadline. */
async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const setOf = (name: string): PodChange | undefined =>
  changes.find((c) => c.op === 'set' && c.pod.metadata.name === name);
const hasRemove = (uid: string): boolean => changes.some((c) => c.op === 'remove' && c.uid === uid);

async function getOrUndefined(p: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(p);
  } catch (err) {
    if (isNodeletError(err, ErrorCode.NotFound)) return undefined;
    throw err;
  }
}

function pod(name: string, nodeName: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nodelet.local/busybox:1.35' }] } };
}

before(async () => {
  apiserver = await startApiserver('sqlite');
  client = createKubeClient({ credentials: await loadKubeconfig(apiserver.kubeconfig), userAgent: 'nodelet-sources-it' });
  const node = await client.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
  nodeUid = node.metadata.uid ?? '';
  await client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  await client.create(`/api/v1/namespaces/${NS}/pods`, pod('mine', NODE));
  await client.create(`/api/v1/namespaces/${NS}/pods`, pod('theirs', 'another-node'));

  manifests = apiserver.tmp.join('manifests');
  await mkdir(manifests);
  await writeFile(path.join(manifests, 'web.yaml'), manifest('nodelet.local/busybox:1.35'));

  config = new PodConfig({ clock: systemClock }, { sources: ['file', 'api'], onChanges: (c) => changes.push(...c) });
  mirrors = new MirrorManager({ client, clock: systemClock, log }, { nodeName: NODE, resyncMs: 1000 });
  fileSource = new FileSource(
    { clock: systemClock, log },
    {
      path: manifests,
      nodeName: NODE,
      checkFrequencyMs: 1000,
      onSnapshot: (pods) => {
        config.update('file', pods);
        mirrors.setStaticPods(pods);
      },
      onError: (file, err) => errors.push({ file, err }),
    },
  );
  apiSource = new ApiSource(
    { client, clock: systemClock, log },
    { nodeName: NODE, onSnapshot: config.updater('api'), onMirrorPods: (pods) => mirrors.setMirrorPods(pods) },
  );
  fileSource.start();
  apiSource.start();
  mirrors.start();
});

after(async () => {
  await apiSource?.dispose();
  await fileSource?.dispose();
  await mirrors?.dispose();
  client?.close();
  await apiserver?.stop();
});

test('api pods bound to this node and static pods become changes', async () => {
  await waitFor('all sources ready', () => (config.allSourcesReady() ? true : undefined));
  const mine = await waitFor('the api pod', () => setOf('mine'));
  assert.equal(mine.source, 'api');
  const web = await waitFor('the static pod', () => setOf(STATIC));
  assert.equal(web.source, 'file');
  assert.equal(setOf('theirs'), undefined, 'a pod of another node is not ours');
});

test('a static pod gets a mirror pod with the config annotations and the Node as owner', async () => {
  const web = config.pods().find((p) => p.pod.metadata.name === STATIC)?.pod;
  assert.ok(web);
  const m = await waitFor('the mirror pod', () => getOrUndefined(MIRROR_PATH));
  const a = m.metadata.annotations ?? {};
  assert.equal(a['kubernetes.io/config.mirror'], web.metadata.uid);
  assert.equal(a['kubernetes.io/config.hash'], web.metadata.uid);
  assert.equal(a['kubernetes.io/config.source'], 'file');
  assert.deepEqual(m.metadata.labels, { app: 'web' });
  assert.deepEqual(m.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: NODE, uid: nodeUid, controller: true }]);
  assert.notEqual(m.metadata.uid, web.metadata.uid, 'the mirror has its own uid');
  await waitFor('the mirror seen by the api source', () => mirrors.mirrorOf(web));
  assert.equal(setOf(STATIC)?.source, 'file', 'the mirror is not a desired pod');
  assert.ok(!changes.some((c) => c.op === 'set' && c.source === 'api' && c.pod.metadata.name === STATIC));
});

test('a deleted mirror pod is recreated', async () => {
  const before = await client.get(MIRROR_PATH);
  // As `kubectl delete pod` does: the default grace period, so the mirror first turns terminating.
  await client.delete(MIRROR_PATH);
  await waitFor('a new mirror pod', async () => {
    const m = await getOrUndefined(MIRROR_PATH);
    return m !== undefined && m.metadata.uid !== before.metadata.uid && m.metadata.deletionTimestamp === undefined ? m : undefined;
  });
});

test('editing the manifest replaces the pod and its mirror', async () => {
  const old = config.pods().find((p) => p.pod.metadata.name === STATIC)?.pod;
  assert.ok(old);
  await writeFile(path.join(manifests, 'web.yaml'), manifest('nodelet.local/busybox:1.36'));
  await waitFor('the old static pod removed', () => (hasRemove(old.metadata.uid) ? true : undefined));
  const next = await waitFor('the new static pod', () =>
    config.pods().find((p) => p.pod.metadata.name === STATIC && p.pod.metadata.uid !== old.metadata.uid)?.pod,
  );
  assert.equal(next.spec.containers[0]?.image, 'nodelet.local/busybox:1.36');
  const m = await waitFor('the mirror of the new pod', async () => {
    const cur = await getOrUndefined(MIRROR_PATH);
    return cur?.metadata.annotations?.['kubernetes.io/config.mirror'] === next.metadata.uid ? cur : undefined;
  });
  const spec = m['spec'] as { containers?: Array<{ image?: string }> } | undefined;
  assert.equal(spec?.containers?.[0]?.image, 'nodelet.local/busybox:1.36');
});

test('a malformed manifest is reported and leaves the other pods alone', async () => {
  const removesBefore = changes.filter((c) => c.op === 'remove').length;
  const bad = path.join(manifests, 'bad.yaml');
  await writeFile(bad, 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: [{name: c}]}\n');
  const e = await waitFor('onError for the bad file', () => errors.find((x) => x.file === bad));
  assert.match(e.err.message, /bad\.yaml: spec\.containers\[0\]\.image: required/);
  // A full periodic scan after the error still has the good pod.
  await fileSource.rescan();
  assert.ok(config.pods().some((p) => p.pod.metadata.name === STATIC));
  assert.ok(config.pods().some((p) => p.pod.metadata.name === 'mine'));
  assert.equal(changes.filter((c) => c.op === 'remove').length, removesBefore);
  await unlink(bad);
});

test('removing the manifest removes the static pod and its mirror', async () => {
  const web = config.pods().find((p) => p.pod.metadata.name === STATIC)?.pod;
  assert.ok(web);
  await rm(path.join(manifests, 'web.yaml'));
  await waitFor('the static pod removed', () => (hasRemove(web.metadata.uid) ? true : undefined));
  await waitFor('the mirror pod deleted', async () => ((await getOrUndefined(MIRROR_PATH)) === undefined ? true : undefined));
  assert.ok(config.pods().some((p) => p.pod.metadata.name === 'mine'), 'api pods stay');
});
