// Lists in chunks (limit/continue), resourceVersion semantics, 410 Expired after compaction, and
// watch: initial events, from a version, selectors entering/leaving, bookmarks, timeouts, 410.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_TOKEN, type TestServer } from './server.js';
import { isJsonObject, type JsonObject } from '../../../src/api/object.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ watchBookmarkIntervalMs: 200 });
});
after(() => s.close());


function obj(v: unknown): JsonObject {
  assert.ok(isJsonObject(v), `expected a JSON object, got ${JSON.stringify(v)}`);
  return v;
}

function names(list: unknown): string[] {
  const items = obj(list).items;
  assert.ok(Array.isArray(items));
  return items.map((i) => String(obj(obj(i).metadata).name));
}

async function createNs(name: string): Promise<void> {
  const res = await s.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  assert.equal(res.status, 201, res.text);
}

async function cm(ns: string, name: string, labels: Record<string, string> = {}): Promise<JsonObject> {
  const res = await s.request('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });
  assert.equal(res.status, 201, res.text);
  return obj(res.body);
}

/** Reads watch events as they come; `next()` waits for one. */
class Watch {
  private readonly events: JsonObject[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  status = 0;

  constructor(path: string) {
    this.done = (async () => {
      const res = await fetch(s.url + path, { headers: { authorization: `Bearer ${TEST_TOKEN}` }, signal: this.abort.signal });
      this.status = res.status;
      const reader = res.body?.getReader();
      let buf = '';
      try {
        for (;;) {
          const chunk = await reader?.read();
          if (chunk === undefined || chunk.done) break;
          buf += Buffer.from(chunk.value).toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            this.events.push(obj(JSON.parse(buf.slice(0, nl))));
            buf = buf.slice(nl + 1);
            this.waiter?.();
          }
        }
      } catch {
        // aborted
      }
      this.ended = true;
      this.waiter?.();
    })();
  }

  async next(timeoutMs = 3000): Promise<JsonObject> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      if (this.ended) throw new Error('watch ended');
      if (Date.now() > deadline) throw new Error('no watch event in time');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    const ev = this.events.shift();
    assert.ok(ev !== undefined);
    return ev;
  }

  /** The next event that is not a BOOKMARK. */
  async nextChange(timeoutMs = 3000): Promise<JsonObject> {
    for (;;) {
      const ev = await this.next(timeoutMs);
      if (ev.type !== 'BOOKMARK') return ev;
    }
  }

  close(): Promise<void> {
    this.abort.abort();
    return this.done;
  }
}

function summary(ev: JsonObject): string {
  return `${String(ev.type)} ${String(obj(obj(ev.object).metadata).name)}`;
}

test('limit and continue page through a consistent snapshot', async () => {
  await createNs('paging');
  for (let i = 0; i < 7; i++) await cm('paging', `c${i}`);
  const P = '/api/v1/namespaces/paging/configmaps';
  const first = obj((await s.request('GET', `${P}?limit=3`)).body);
  assert.deepEqual(names(first), ['c0', 'c1', 'c2']);
  const rv = String(obj(first.metadata).resourceVersion);
  const token = String(obj(first.metadata).continue);
  assert.ok(token.length > 0);
  // A write between pages does not show: the pages are read at the first page's revision.
  await cm('paging', 'c3a');
  const second = obj((await s.request('GET', `${P}?limit=3&continue=${encodeURIComponent(token)}`)).body);
  assert.deepEqual(names(second), ['c3', 'c4', 'c5']);
  assert.equal(obj(second.metadata).resourceVersion, rv);
  const third = obj((await s.request('GET', `${P}?limit=3&continue=${encodeURIComponent(String(obj(second.metadata).continue))}`)).body);
  assert.deepEqual(names(third), ['c6']);
  assert.equal(obj(third.metadata).continue, undefined);
});

test('a limit counts objects matching the selector', async () => {
  await createNs('sel-paging');
  for (let i = 0; i < 6; i++) await cm('sel-paging', `s${i}`, { even: String(i % 2 === 0) });
  const P = '/api/v1/namespaces/sel-paging/configmaps?labelSelector=even%3Dtrue&limit=2';
  const first = obj((await s.request('GET', P)).body);
  assert.deepEqual(names(first), ['s0', 's2']);
  const second = obj((await s.request('GET', `${P}&continue=${encodeURIComponent(String(obj(first.metadata).continue))}`)).body);
  assert.deepEqual(names(second), ['s4']);
});

test('resourceVersion semantics: exact reads history; too new waits then 504; compacted is 410 Expired', async () => {
  await createNs('rv');
  const a = await cm('rv', 'a');
  const rvA = String(obj(a.metadata).resourceVersion);
  await cm('rv', 'b');
  const exact = await s.request('GET', `/api/v1/namespaces/rv/configmaps?resourceVersion=${rvA}&resourceVersionMatch=Exact`);
  assert.equal(exact.status, 200, exact.text);
  assert.deepEqual(names(exact.body), ['a']);
  assert.equal(obj(obj(exact.body).metadata).resourceVersion, rvA);
  const notOlder = await s.request('GET', `/api/v1/namespaces/rv/configmaps?resourceVersion=${rvA}&resourceVersionMatch=NotOlderThan`);
  assert.deepEqual(names(notOlder.body), ['a', 'b']);
  const any = await s.request('GET', '/api/v1/namespaces/rv/configmaps?resourceVersion=0');
  assert.deepEqual(names(any.body), ['a', 'b']);
  const bad = await s.request('GET', '/api/v1/namespaces/rv/configmaps?resourceVersionMatch=Exact');
  assert.equal(bad.status, 400);

  const page = obj((await s.request('GET', '/api/v1/namespaces/rv/configmaps?limit=1')).body);
  const token = String(obj(page.metadata).continue);
  await cm('rv', 'c');
  await s.store.compact(await s.store.currentRevision());
  const expired = await s.request('GET', `/api/v1/namespaces/rv/configmaps?limit=1&continue=${encodeURIComponent(token)}`);
  assert.equal(expired.status, 410, expired.text);
  const body = obj(expired.body);
  assert.equal(body.reason, 'Expired');
  assert.match(String(body.message), /^The provided continue parameter is too old to display a consistent list result/);
  // The Status offers an inconsistent continuation from the same place.
  const rest = await s.request('GET', `/api/v1/namespaces/rv/configmaps?continue=${encodeURIComponent(String(obj(body.metadata).continue))}`);
  assert.equal(rest.status, 200, rest.text);
  assert.deepEqual(names(rest.body), ['b', 'c']);
  const old = await s.request('GET', `/api/v1/namespaces/rv/configmaps?resourceVersion=${rvA}&resourceVersionMatch=Exact`);
  assert.equal(old.status, 410);

  const future = await s.request('GET', `/api/v1/namespaces/rv/configmaps?resourceVersion=999999&resourceVersionMatch=NotOlderThan`);
  assert.equal(future.status, 504);
  assert.match(String(obj(future.body).message), /^Timeout: Too large resource version: 999999, current: \d+$/);
});

test('watch from "now" starts with ADDED for the current state, then changes', async () => {
  await createNs('w1');
  await cm('w1', 'existing');
  const w = new Watch('/api/v1/namespaces/w1/configmaps?watch=1');
  assert.equal(summary(await w.next()), 'ADDED existing');
  await cm('w1', 'new');
  assert.equal(summary(await w.next()), 'ADDED new');
  await s.request('PATCH', '/api/v1/namespaces/w1/configmaps/new', { data: { k: 'v2' } }, { 'content-type': 'application/merge-patch+json' });
  const mod = await w.next();
  assert.equal(summary(mod), 'MODIFIED new');
  assert.deepEqual(obj(obj(mod.object)).data, { k: 'v2' });
  const del = await s.request('DELETE', '/api/v1/namespaces/w1/configmaps/new');
  assert.equal(del.status, 200);
  const ev = await w.next();
  assert.equal(summary(ev), 'DELETED new');
  assert.ok(Number(obj(obj(ev.object).metadata).resourceVersion) > Number(obj(obj(mod.object).metadata).resourceVersion));
  await w.close();
});

test('watch from a resourceVersion delivers every later change and nothing before', async () => {
  await createNs('w2');
  const a = await cm('w2', 'a');
  await cm('w2', 'b');
  await cm('w2', 'c');
  const w = new Watch(`/api/v1/namespaces/w2/configmaps?watch=true&resourceVersion=${String(obj(a.metadata).resourceVersion)}`);
  assert.equal(summary(await w.next()), 'ADDED b');
  assert.equal(summary(await w.next()), 'ADDED c');
  await w.close();
});

test('watch with a label selector: objects entering are ADDED, leaving are DELETED', async () => {
  await createNs('w3');
  const w = new Watch('/api/v1/namespaces/w3/configmaps?watch=1&labelSelector=team%3Dred');
  await cm('w3', 'x', { team: 'blue' });
  await cm('w3', 'y', { team: 'red' });
  assert.equal(summary(await w.next()), 'ADDED y');
  await s.request('PATCH', '/api/v1/namespaces/w3/configmaps/x', { metadata: { labels: { team: 'red' } } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(summary(await w.next()), 'ADDED x');
  await s.request('PATCH', '/api/v1/namespaces/w3/configmaps/y', { metadata: { labels: { team: 'blue' } } }, { 'content-type': 'application/merge-patch+json' });
  const left = await w.next();
  assert.equal(summary(left), 'DELETED y');
  assert.deepEqual(obj(obj(left.object).metadata).labels, { team: 'red' }, 'the last state that matched');
  await w.close();
});

test('watch of one object by name (legacy /watch/ path and fieldSelector)', async () => {
  await createNs('w4');
  await cm('w4', 'one');
  await cm('w4', 'two');
  const legacy = new Watch('/api/v1/watch/namespaces/w4/configmaps/two');
  assert.equal(summary(await legacy.next()), 'ADDED two');
  const byField = new Watch('/api/v1/namespaces/w4/configmaps?watch=1&fieldSelector=metadata.name%3Done');
  assert.equal(summary(await byField.next()), 'ADDED one');
  await s.request('DELETE', '/api/v1/namespaces/w4/configmaps/two');
  assert.equal(summary(await legacy.next()), 'DELETED two');
  await legacy.close();
  await byField.close();
});

test('bookmarks carry the revision reached; timeoutSeconds ends the watch', async () => {
  await createNs('w5');
  const c = await cm('w5', 'a');
  const rv = Number(obj(c.metadata).resourceVersion);
  const w = new Watch(`/api/v1/namespaces/w5/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=2`);
  const bookmark = await w.next();
  assert.equal(bookmark.type, 'BOOKMARK');
  assert.equal(obj(bookmark.object).kind, 'ConfigMap');
  assert.ok(Number(obj(obj(bookmark.object).metadata).resourceVersion) >= rv);
  await cm('w5', 'b');
  const ev = await w.nextChange();
  assert.equal(summary(ev), 'ADDED b');
  const later = await w.next();
  assert.equal(later.type, 'BOOKMARK');
  assert.equal(obj(obj(later.object).metadata).resourceVersion, obj(obj(ev.object).metadata).resourceVersion);
  const t0 = Date.now();
  await w.done;
  assert.ok(Date.now() - t0 < 3000, 'the server ends the watch at timeoutSeconds');
});

test('watch-list: sendInitialEvents then an initial-events-end bookmark', async () => {
  await createNs('w6');
  await cm('w6', 'a');
  const w = new Watch('/api/v1/namespaces/w6/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true');
  assert.equal(summary(await w.next()), 'ADDED a');
  const end = await w.next();
  assert.equal(end.type, 'BOOKMARK');
  assert.deepEqual(obj(obj(end.object).metadata).annotations, { 'k8s.io/initial-events-end': 'true' });
  await w.close();
});

test('watch from a compacted resourceVersion is 200 with an ERROR event: 410 Expired', async () => {
  await createNs('w7');
  const a = await cm('w7', 'a');
  await cm('w7', 'b');
  await s.store.compact(await s.store.currentRevision());
  const w = new Watch(`/api/v1/namespaces/w7/configmaps?watch=1&resourceVersion=${String(obj(a.metadata).resourceVersion)}`);
  const ev = await w.next();
  assert.equal(w.status, 200);
  assert.equal(ev.type, 'ERROR');
  const status = obj(ev.object);
  assert.equal(status.kind, 'Status');
  assert.equal(status.code, 410);
  assert.equal(status.reason, 'Expired');
  assert.match(String(status.message), /^too old resource version: \d+ \(\d+\)$/);
  await w.done;
});

test('watch as Table (kubectl get -w) sends Table rows', async () => {
  await createNs('w8');
  await cm('w8', 'a');
  const res = await fetch(`${s.url}/api/v1/namespaces/w8/configmaps?watch=1`, {
    headers: { authorization: `Bearer ${TEST_TOKEN}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  });
  const reader = res.body?.getReader();
  const chunk = await reader?.read();
  const line = Buffer.from(chunk?.value ?? new Uint8Array()).toString('utf8').split('\n')[0] ?? '';
  const ev = obj(JSON.parse(line));
  assert.equal(ev.type, 'ADDED');
  assert.equal(obj(ev.object).kind, 'Table');
  await reader?.cancel();
});

test('many watchers see every event once, in order', async () => {
  await createNs('w9');
  const rv = await s.store.currentRevision();
  const watchers = Array.from({ length: 10 }, () => new Watch(`/api/v1/namespaces/w9/configmaps?watch=1&resourceVersion=${rv}`));
  await new Promise((r) => setTimeout(r, 100));
  await Promise.all(Array.from({ length: 20 }, (_, i) => cm('w9', `m${i}`)));
  for (const w of watchers) {
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) seen.push(summary(await w.nextChange()));
    assert.equal(new Set(seen).size, 20);
    await w.close();
  }
});
