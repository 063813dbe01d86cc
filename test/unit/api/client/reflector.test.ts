import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runReflector } from '../../../../src/api/client/reflector.js';
import type { ListOptions, ObjectList, WatchEvent, WatchOptions } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ErrorCode, NodeletError, isNodeletError } from '../../../../src/base/errors.js';
import { UnusedKubeClient } from './unused-client.js';

function cm(name: string, rv: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv } };
}
function ev(type: WatchEvent['type'], name: string, rv: string): WatchEvent {
  return { type, object: cm(name, rv) };
}
const bookmark = (rv: string): WatchEvent => ({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: rv } } });
const fail = (code: ErrorCode): NodeletError => new NodeletError(code, `fake ${code}`);

type ListStep = ObjectList | NodeletError;
/** A watch: its events, then how it ends (clean, an error, or hanging until aborted). */
interface WatchStep {
  events: WatchEvent[];
  end?: NodeletError;
}

/**
 * Answers list and watch calls from scripts; the call after the last scripted one aborts the
 * reflector (so every test ends) and records nothing more.
 */
class FakeClient extends UnusedKubeClient {
  readonly calls: string[] = [];
  readonly watchOptions: WatchOptions[] = [];
  readonly listOptions: ListOptions[] = [];

  constructor(
    private readonly lists: ListStep[],
    private readonly watches: WatchStep[],
    private readonly stop: AbortController,
  ) {
    super();
  }

  override async list(path: string, opts: ListOptions = {}): Promise<ObjectList> {
    const step = this.lists.shift();
    if (step === undefined) return this.hang(opts.signal);
    this.calls.push(`list ${path} continue=${opts.continue ?? ''}`);
    this.listOptions.push(opts);
    if (step instanceof NodeletError) throw step;
    return step;
  }

  override watch(path: string, opts: WatchOptions = {}): AsyncIterable<WatchEvent> {
    const step = this.watches.shift();
    if (step !== undefined) {
      this.calls.push(`watch ${path} rv=${opts.resourceVersion ?? ''}`);
      this.watchOptions.push(opts);
    }
    return this.stream(step, opts.signal);
  }

  private async *stream(step: WatchStep | undefined, signal: AbortSignal | undefined): AsyncGenerator<WatchEvent> {
    if (step === undefined) return await this.hang(signal);
    for (const e of step.events) yield e;
    if (step.end) throw step.end;
  }

  /** No more script: stop the reflector and wait for the abort, as a real call would. */
  private hang(signal: AbortSignal | undefined): Promise<never> {
    this.stop.abort();
    return new Promise((_resolve, reject) => {
      const cancelled = (): void => reject(new NodeletError(ErrorCode.Cancelled, 'cancelled'));
      if (signal?.aborted) cancelled();
      else signal?.addEventListener('abort', cancelled, { once: true });
    });
  }
}

/** Sleeps return at once; their lengths are recorded. */
class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  now(): number {
    return 0;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) throw signal.reason;
  }
}

function list(rv: string, items: KubeObject[], cont?: string): ObjectList {
  return { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) }, items };
}

async function run(lists: ListStep[], watches: WatchStep[], opts: { throwOnReplace?: number } = {}) {
  const stop = new AbortController();
  const client = new FakeClient(lists, watches, stop);
  const clock = new FakeClock();
  const log: string[] = [];
  const errors: unknown[] = [];
  let replaces = 0;
  await runReflector(
    { client, clock, random: () => 0.5 },
    {
      path: '/api/v1/configmaps',
      labelSelector: 'app=web',
      fieldSelector: 'metadata.namespace=default',
      signal: stop.signal,
      handlers: {
        replace: (items, rv) => {
          log.push(`replace ${items.map((i) => i.metadata.name).join(',')} @${rv}`);
          if (++replaces === opts.throwOnReplace) throw new Error('handler bug');
        },
        event: (e) => log.push(`${e.type} ${e.object.metadata.name ?? ''}`),
        error: (err) => errors.push(err),
      },
    },
  );
  return { client, clock, log, errors };
}

test('lists all pages, replaces, then watches from the list version with bookmarks and a 5-10 min timeout', async () => {
  const { client, clock, log, errors } = await run(
    [list('10', [cm('a', '3')], 'page2'), list('10', [cm('b', '4')])],
    [{ events: [ev('ADDED', 'c', '11'), ev('MODIFIED', 'a', '12')] }],
  );
  assert.deepEqual(client.calls, ['list /api/v1/configmaps continue=', 'list /api/v1/configmaps continue=page2', 'watch /api/v1/configmaps rv=10']);
  assert.deepEqual(log, ['replace a,b @10', 'ADDED c', 'MODIFIED a']);
  for (const o of client.listOptions) {
    assert.equal(o.limit, 500);
    assert.equal(o.labelSelector, 'app=web');
    assert.equal(o.fieldSelector, 'metadata.namespace=default');
  }
  const w = client.watchOptions[0];
  assert.equal(w?.allowWatchBookmarks, true);
  assert.equal(w?.timeoutSeconds, 450);
  assert.equal(w?.labelSelector, 'app=web');
  assert.equal(w?.fieldSelector, 'metadata.namespace=default');
  assert.deepEqual(errors, []);
  assert.deepEqual(clock.sleeps, []);
});

test('a watch that ends cleanly resumes from the last version seen, a bookmark included (not passed on)', async () => {
  const { client, log, clock } = await run([list('10', [])], [{ events: [ev('ADDED', 'a', '11'), bookmark('20')] }, { events: [ev('DELETED', 'a', '21')] }, { events: [] }]);
  assert.deepEqual(client.calls.filter((c) => c.startsWith('watch')), [
    'watch /api/v1/configmaps rv=10',
    'watch /api/v1/configmaps rv=20',
    'watch /api/v1/configmaps rv=21',
  ]);
  assert.deepEqual(log, ['replace  @10', 'ADDED a', 'DELETED a']);
  // Only the watch that ended without any event waits before the next one.
  assert.deepEqual(clock.sleeps, [1000]);
});

test('Gone relists at once and replaces again', async () => {
  const { client, log, errors, clock } = await run(
    [list('10', [cm('a', '3')]), list('30', [cm('b', '25')])],
    [{ events: [ev('ADDED', 'c', '11')], end: fail(ErrorCode.Gone) }, { events: [ev('ADDED', 'd', '31')] }],
  );
  assert.deepEqual(client.calls, ['list /api/v1/configmaps continue=', 'watch /api/v1/configmaps rv=10', 'list /api/v1/configmaps continue=', 'watch /api/v1/configmaps rv=30']);
  assert.deepEqual(log, ['replace a @10', 'ADDED c', 'replace b @30', 'ADDED d']);
  assert.equal(errors.length, 1);
  assert.ok(isNodeletError(errors[0], ErrorCode.Gone));
  assert.deepEqual(clock.sleeps, []);
});

test('failures back off 1 s doubling to 30 s; a watch that delivered events resets it', async () => {
  const unavailable = (): NodeletError => fail(ErrorCode.Unavailable);
  const { clock, errors, client } = await run(
    [unavailable(), unavailable(), unavailable(), unavailable(), unavailable(), unavailable(), unavailable(), list('10', [])],
    [
      { events: [], end: unavailable() }, // a watch that fails before any event keeps backing off
      { events: [ev('ADDED', 'a', '11')], end: unavailable() }, // delivered: back to 1 s
      { events: [], end: unavailable() },
    ],
  );
  assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 1000, 2000]);
  assert.equal(errors.length, 10);
  // After a failed watch the next one resumes from the last version, without relisting.
  assert.deepEqual(client.calls.filter((c) => c.startsWith('watch')), ['watch /api/v1/configmaps rv=10', 'watch /api/v1/configmaps rv=10', 'watch /api/v1/configmaps rv=11']);
  assert.equal(client.calls.filter((c) => c.startsWith('list')).length, 8);
});

test('a handler that throws is reported and forces a relist', async () => {
  const { log, errors, client } = await run([list('10', [cm('a', '3')]), list('12', [cm('a', '4')])], [{ events: [ev('MODIFIED', 'a', '4')] }], { throwOnReplace: 1 });
  assert.deepEqual(log, ['replace a @10', 'replace a @12', 'MODIFIED a']);
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /handler bug/);
  assert.deepEqual(client.calls, ['list /api/v1/configmaps continue=', 'list /api/v1/configmaps continue=', 'watch /api/v1/configmaps rv=12']);
});

test('an abort before the start resolves without calling the server', async () => {
  const ac = new AbortController();
  ac.abort();
  const client = new FakeClient([list('1', [])], [], new AbortController());
  await runReflector({ client, clock: new FakeClock() }, { path: '/api/v1/pods', signal: ac.signal, handlers: { replace: () => assert.fail('no replace'), event: () => assert.fail('no event') } });
  assert.deepEqual(client.calls, []);
});
