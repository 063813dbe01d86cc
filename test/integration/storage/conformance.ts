// The Store contract, as one suite that every backend runs (sqlite.test.ts, etcd.test.ts).
// A backend hands out fresh stores whose keyspaces do not overlap; revisions may be shared
// (one etcd serves every case), so cases only compare revisions they observed themselves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../src/base/errors.js';
import type { KeyValue, Store, WatchEvent } from '../../../src/apiserver/storage/store.js';

/** A case that hangs (a watch waiting for an event that never comes) fails instead of stalling the run. */
const CASE_TIMEOUT_MS = 60_000;

export interface StoreFactory {
  /** A store for one case; the suite disposes it. */
  open(): Promise<Store>;
}

const isCode = (code: ErrorCode) => (err: unknown): boolean => {
  assert.ok(isNodeletError(err, code), `expected ${code}, got ${String(err)}`);
  return true;
};

/** Reads a watch until `until` says stop (checked after each event) or the watch ends. */
export async function collect(iter: AsyncIterable<WatchEvent>, until: (events: WatchEvent[]) => boolean): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  if (until(events)) return events;
  for await (const ev of iter) {
    events.push(ev);
    if (until(events)) break;
  }
  return events;
}

const brief = (e: WatchEvent): string => `${e.type} ${e.kv.key}=${e.kv.value}@${e.kv.modRevision}${e.prevKv ? ` prev=${e.prevKv.value}@${e.prevKv.modRevision}` : ''}`;

/** Every page of a list at one revision, continuing after the last key of each page. */
async function listAllPages(store: Store, prefix: string, limit: number, between: () => Promise<void>): Promise<{ items: KeyValue[]; revision: number; pages: number }> {
  const first = await store.list(prefix, { limit });
  const items = [...first.items];
  let more = first.more;
  let pages = 1;
  while (more) {
    await between();
    const last = items[items.length - 1];
    assert.ok(last, 'a page with more has items');
    const page = await store.list(prefix, { limit, revision: first.revision, startAfter: last.key });
    assert.equal(page.revision, first.revision, 'later pages report the first page revision');
    assert.ok(page.items.length <= limit);
    items.push(...page.items);
    more = page.more;
    pages++;
  }
  return { items, revision: first.revision, pages };
}

export function storeConformance(name: string, factory: StoreFactory): void {
  const open = async (t: { after: (fn: () => Promise<void>) => void }): Promise<Store> => {
    const store = await factory.open();
    t.after(() => Promise.resolve(store.dispose()));
    return store;
  };

  test(`${name}: create, get, list, update and delete`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const a = await store.create('/c/items/a', '{"v":1}');
    assert.equal(a.createRevision, a.modRevision);
    assert.ok(a.modRevision > 0);
    assert.deepEqual(await store.get('/c/items/a'), a);
    assert.equal(await store.get('/c/items/missing'), undefined);
    const b = await store.create('/c/items/b', '{"v":2}');
    await store.create('/c/itemsx/other', 'outside the prefix');
    assert.ok(b.modRevision > a.modRevision);

    const listed = await store.list('/c/items/');
    assert.deepEqual(listed.items, [a, b]);
    assert.equal(listed.more, false);
    assert.ok(listed.revision >= b.modRevision);
    assert.deepEqual((await store.list('/c/items/', { limit: 1 })).items, [a]);

    const a2 = await store.update('/c/items/a', '{"v":3}', a.modRevision);
    assert.equal(a2.createRevision, a.createRevision);
    assert.ok(a2.modRevision > b.modRevision);
    assert.equal(a2.value, '{"v":3}');
    assert.deepEqual(await store.get('/c/items/a'), a2);

    const deleted = await store.delete('/c/items/a', a2.modRevision);
    assert.equal(deleted.value, '{"v":3}');
    assert.equal(deleted.createRevision, a.createRevision);
    assert.ok(deleted.modRevision > a2.modRevision, 'the deletion has its own revision');
    assert.equal(await store.get('/c/items/a'), undefined);
    const gone = await store.delete('/c/items/b');
    assert.equal(gone.value, '{"v":2}');
    assert.deepEqual((await store.list('/c/items/')).items, []);
    assert.ok((await store.currentRevision()) >= gone.modRevision);

    // A key can be created again after its deletion, with a new create revision.
    const again = await store.create('/c/items/a', 'again');
    assert.ok(again.createRevision > deleted.modRevision);
  });

  test(`${name}: AlreadyExists, Conflict on a stale revision, NotFound`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const v1 = await store.create('/e/k', 'one');
    await assert.rejects(store.create('/e/k', 'two'), isCode(ErrorCode.AlreadyExists));
    const v2 = await store.update('/e/k', 'two', v1.modRevision);
    await assert.rejects(store.update('/e/k', 'stale', v1.modRevision), isCode(ErrorCode.Conflict));
    await assert.rejects(store.delete('/e/k', v1.modRevision), isCode(ErrorCode.Conflict));
    assert.deepEqual(await store.get('/e/k'), v2, 'failed writes changed nothing');
    await assert.rejects(store.update('/e/missing', 'x', v2.modRevision), isCode(ErrorCode.NotFound));
    await assert.rejects(store.delete('/e/missing'), isCode(ErrorCode.NotFound));
    await assert.rejects(store.delete('/e/missing', v2.modRevision), isCode(ErrorCode.NotFound));
    await store.delete('/e/k');
    await assert.rejects(store.update('/e/k', 'x', v2.modRevision), isCode(ErrorCode.NotFound));
  });

  test(`${name}: paginated list at a fixed revision while writes continue`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const keys = Array.from({ length: 40 }, (_, i) => `/pg/k${String(i * 10).padStart(3, '0')}`);
    for (const k of keys) await store.create(k, `${k}-v1`);
    await store.create('/pg-outside', 'x');
    const before = await store.list('/pg/');
    let step = 0;
    const result = await listAllPages(store, '/pg/', 7, async () => {
      step++;
      // Change keys before and after the page boundary, remove some, add some in between.
      const target = keys[(step * 11) % keys.length] ?? '';
      const cur = await store.get(target);
      if (cur) await store.update(target, `${target}-changed-${step}`, cur.modRevision);
      const victim = keys[(step * 7 + 3) % keys.length] ?? '';
      if (await store.get(victim)) await store.delete(victim);
      await store.create(`/pg/k${String(step * 10 + 5).padStart(3, '0')}`, 'new');
    });
    assert.equal(result.pages, 6);
    assert.ok(step > 0);
    // The pages together are exactly the state when the first page was read.
    assert.equal(result.revision, before.revision);
    assert.deepEqual(result.items, before.items);
    assert.notDeepEqual((await store.list('/pg/')).items, before.items, 'the writes did land');
  });

  test(`${name}: list at an older revision`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const a = await store.create('/old/a', 'a1');
    const b = await store.create('/old/b', 'b1');
    const at = await store.currentRevision();
    await store.update('/old/a', 'a2', a.modRevision);
    await store.delete('/old/b', b.modRevision);
    const c = await store.create('/old/c', 'c1');
    await store.create('/old/b', 'b-new');

    const then = await store.list('/old/', { revision: at });
    assert.equal(then.revision, at);
    assert.deepEqual(then.items, [a, b]);
    const paged = await store.list('/old/', { revision: at, limit: 1, startAfter: '/old/a' });
    assert.deepEqual(paged.items, [b]);
    assert.equal(paged.more, false);
    const now = await store.list('/old/');
    assert.deepEqual(
      now.items.map((kv) => [kv.key, kv.value]),
      [['/old/a', 'a2'], ['/old/b', 'b-new'], ['/old/c', 'c1']],
    );
    assert.deepEqual((await store.list('/old/', { revision: c.modRevision - 1 })).items.map((kv) => kv.key), ['/old/a']);
    const future = (await store.currentRevision()) + 1000;
    await assert.rejects(store.list('/old/', { revision: future }), isCode(ErrorCode.InvalidArgument));
  });

  test(`${name}: watch from a revision sees exactly the later events, in order, then live ones`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const x1 = await store.create('/w/x', 'x1');
    const x2 = await store.update('/w/x', 'x2', x1.modRevision);
    const y1 = await store.create('/w/y', 'y1');
    await store.create('/wx/outside', 'not watched');
    const xd = await store.delete('/w/x');

    const ac = new AbortController();
    t.after(() => ac.abort());
    const iter = store.watch('/w/', { afterRevision: x1.modRevision, signal: ac.signal });
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const ev of iter) {
        seen.push(ev);
        if (seen.length === 5) ac.abort();
      }
    })();
    // Live events after the history above.
    const y2 = await store.update('/w/y', 'y2', y1.modRevision);
    const z = await store.create('/w/z', 'z1');
    await done;

    assert.deepEqual(seen.map(brief), [
      `PUT /w/x=x2@${x2.modRevision} prev=x1@${x1.modRevision}`,
      `PUT /w/y=y1@${y1.modRevision}`,
      `DELETE /w/x=x2@${xd.modRevision} prev=x2@${x2.modRevision}`,
      `PUT /w/y=y2@${y2.modRevision} prev=y1@${y1.modRevision}`,
      `PUT /w/z=z1@${z.modRevision}`,
    ]);
    assert.equal(seen[2]?.kv.createRevision, x1.createRevision, 'a DELETE carries the key’s create revision');
  });

  test(`${name}: a watch from a revision ahead of the store waits for it`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const ac = new AbortController();
    t.after(() => ac.abort());
    const ahead = (await store.currentRevision()) + 2;
    const events = collect(store.watch('/ahead/', { afterRevision: ahead, signal: ac.signal }), (evs) => evs.length === 1);
    await store.create('/ahead/1', '1');
    await store.create('/ahead/2', '2');
    const third = await store.create('/ahead/3', '3');
    assert.deepEqual((await events).map(brief), [`PUT /ahead/3=3@${third.modRevision}`]);
  });

  test(`${name}: 100 concurrent writers and 3 watchers: every event exactly once, in order`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const keyCount = 25;
    const writers = 100;
    const updatesEach = 20;
    const keys = Array.from({ length: keyCount }, (_, i) => `/cc/key-${String(i).padStart(2, '0')}`);
    const start = await store.currentRevision();
    const ac = new AbortController();
    t.after(() => ac.abort());
    const expectedEvents = keyCount + writers * updatesEach;

    // Watchers from before the keys exist, from the middle of the run, and from "now" then.
    const watchFrom = (after: number): Promise<WatchEvent[]> =>
      collect(store.watch('/cc/', { afterRevision: after, signal: ac.signal }), (evs) => {
        const last = evs[evs.length - 1];
        return last !== undefined && last.kv.modRevision >= finalRevision;
      });
    let finalRevision = Number.MAX_SAFE_INTEGER;
    const w0 = watchFrom(start);
    for (const k of keys) await store.create(k, '0');
    const increment = async (key: string): Promise<void> => {
      for (;;) {
        const cur = await store.get(key);
        assert.ok(cur);
        try {
          await store.update(key, String(Number(cur.value) + 1), cur.modRevision);
          return;
        } catch (err) {
          if (!isNodeletError(err, ErrorCode.Conflict)) throw err;
        }
      }
    };
    let lateWatch: { after: number; events: Promise<WatchEvent[]> } | undefined;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; i < updatesEach; i++) {
        await increment(keys[w % keyCount] ?? '');
        if (w === 0 && i === 5) {
          const after = await store.currentRevision();
          lateWatch = { after, events: watchFrom(after) };
        }
      }
    };
    const midpoint = start + Math.floor(expectedEvents / 2);
    const all = Array.from({ length: writers }, (_, w) => writer(w));
    // The middle watcher starts from a revision that is already history when it starts.
    while ((await store.currentRevision()) < midpoint + 50) await new Promise((r) => setTimeout(r, 5));
    const midWatch = { after: midpoint, events: watchFrom(midpoint) };
    await Promise.all(all);
    finalRevision = await store.currentRevision();
    // Wake the watchers that wait for more: one write past the end.
    await store.create('/cc/zz-end', 'end');

    const final = await store.list('/cc/');
    const e0 = await w0;
    assert.ok(lateWatch, 'the late watcher started');
    const e1 = await midWatch.events;
    const e2 = await lateWatch.events;
    const revisions = (evs: WatchEvent[]): number[] => evs.map((e) => e.kv.modRevision);
    const upTo = (evs: WatchEvent[]): WatchEvent[] => evs.filter((e) => e.kv.modRevision <= finalRevision);

    const r0 = revisions(upTo(e0));
    assert.equal(r0.length, expectedEvents, 'the first watcher saw every write');
    assert.ok(r0.every((r, i) => i === 0 || r > (r0[i - 1] ?? 0)), 'revisions strictly increase');
    // The others saw exactly the first watcher's events after their start revision.
    assert.deepEqual(upTo(e1).map(brief), upTo(e0).filter((e) => e.kv.modRevision > midWatch.after).map(brief));
    assert.deepEqual(upTo(e2).map(brief), upTo(e0).filter((e) => e.kv.modRevision > (lateWatch?.after ?? 0)).map(brief));
    // Each key counted up one by one, and replaying the events gives the final state.
    const state = new Map<string, KeyValue>();
    for (const ev of upTo(e0)) {
      const before = state.get(ev.kv.key);
      assert.equal(Number(ev.kv.value), before === undefined ? 0 : Number(before.value) + 1, `no lost update on ${ev.kv.key}`);
      assert.equal(ev.prevKv?.modRevision, before?.modRevision);
      state.set(ev.kv.key, ev.kv);
    }
    assert.deepEqual(
      final.items.filter((kv) => kv.key !== '/cc/zz-end'),
      [...state.values()].sort((p, q) => (p.key < q.key ? -1 : 1)),
    );
    for (const kv of final.items) if (kv.key !== '/cc/zz-end') assert.equal(kv.value, String((writers / keyCount) * updatesEach));
  });

  test(`${name}: Gone for list and watch at a compacted revision`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const v1 = await store.create('/gone/k', 'v1');
    const v2 = await store.update('/gone/k', 'v2', v1.modRevision);
    const v3 = await store.update('/gone/k', 'v3', v2.modRevision);
    await store.compact(v2.modRevision);
    assert.ok((await store.compactedRevision()) >= v2.modRevision);

    await assert.rejects(store.list('/gone/', { revision: v1.modRevision }), isCode(ErrorCode.Gone));
    const ac = new AbortController();
    t.after(() => ac.abort());
    await assert.rejects(collect(store.watch('/gone/', { afterRevision: v1.modRevision, signal: ac.signal }), () => false), isCode(ErrorCode.Gone));

    // The compacted revision itself stays readable and watchable.
    assert.deepEqual((await store.list('/gone/', { revision: v2.modRevision })).items, [v2]);
    const events = await collect(store.watch('/gone/', { afterRevision: v2.modRevision, signal: ac.signal }), (evs) => evs.length === 1);
    assert.deepEqual(events.map(brief), [`PUT /gone/k=v3@${v3.modRevision} prev=v2@${v2.modRevision}`]);
    // Compacting to an older revision again is a no-op.
    await store.compact(v1.modRevision);
    assert.deepEqual((await store.get('/gone/k'))?.value, 'v3', 'current values survive compaction');
  });

  test(`${name}: a watch ends cleanly when its signal aborts`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const ac = new AbortController();
    const from = await store.currentRevision();
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const ev of store.watch('/abort/', { afterRevision: from, signal: ac.signal })) seen.push(ev);
    })();
    await store.create('/abort/a', '1');
    while (seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    ac.abort();
    await done; // returns, does not throw
    assert.equal(seen.length, 1);
    // Already aborted before the first read: ends at once.
    const none = await collect(store.watch('/abort/', { afterRevision: from, signal: ac.signal }), () => false);
    assert.deepEqual(none, []);
  });

  test(`${name}: disposing the store ends its watches`, { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const store = await open(t);
    const ac = new AbortController();
    t.after(() => ac.abort());
    const from = await store.currentRevision();
    const seen: WatchEvent[] = [];
    const done = (async () => {
      for await (const ev of store.watch('/closing/', { afterRevision: from, signal: ac.signal })) seen.push(ev);
    })();
    await store.create('/closing/a', '1');
    while (seen.length < 1) await new Promise((r) => setTimeout(r, 5));
    await store.dispose();
    await done; // ends without an error
    assert.equal(seen.length, 1);
    await assert.rejects(store.get('/closing/a'), isCode(ErrorCode.Unavailable));
  });
}
