import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKubeClient } from '../../../../src/api/client/rest-client.js';
import { KubeApiError } from '../../../../src/api/client/http-errors.js';
import type { KubeClient, WatchEvent } from '../../../../src/api/client/types.js';
import { ErrorCode, isNodeletError, type ErrorCode as Code } from '../../../../src/base/errors.js';

interface Seen {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: Seen, res: http.ServerResponse) => void | Promise<void>;

let server: http.Server;
let base: string;
let handler: Handler;
let seen: Seen[];
let client: KubeClient;

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks).toString() };
      seen.push(s);
      void handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  client?.close();
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 200, cm('a'));
  client?.close();
  client = createKubeClient({ credentials: { server: base, token: 'secret', insecureSkipTlsVerify: false }, userAgent: 'unit-test' });
});

function cm(name: string, rv = '1'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: rv }, data: { k: 'v' } };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message };
}

function only(): Seen {
  assert.equal(seen.length, 1, `expected one request, got ${seen.length}`);
  const s = seen[0];
  assert.ok(s !== undefined);
  return s;
}

async function rejectsWith(p: Promise<unknown>, code: Code, message?: RegExp): Promise<unknown> {
  let caught: unknown;
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isNodeletError(err, code), `expected ${code}, got ${String(err)}`);
    if (message) assert.match(err.message, message);
    caught = err;
    return true;
  });
  return caught;
}

async function collect(events: AsyncIterable<WatchEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const ev of events) out.push(`${ev.type} ${ev.object.metadata.name ?? ''} ${ev.object.metadata.resourceVersion ?? ''}`);
  return out;
}

test('get sends Accept JSON, the bearer token and the user agent, and returns the object', async () => {
  const obj = await client.get('/api/v1/namespaces/default/configmaps/a');
  assert.equal(obj.metadata.name, 'a');
  assert.deepEqual(obj['data'], { k: 'v' });
  const s = only();
  assert.equal(s.method, 'GET');
  assert.equal(s.url.pathname, '/api/v1/namespaces/default/configmaps/a');
  assert.equal(s.url.search, '');
  assert.equal(s.headers.accept, 'application/json');
  assert.equal(s.headers.authorization, 'Bearer secret');
  assert.equal(s.headers['user-agent'], 'unit-test');
});

test('create, update and delete use POST, PUT and DELETE with JSON bodies', async () => {
  await client.create('/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
  await client.update('/api/v1/namespaces/default/configmaps/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7' } });
  handler = (_req, res) => json(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} });
  const reply = await client.delete('/api/v1/namespaces/default/configmaps/a', { gracePeriodSeconds: 0, preconditions: { uid: 'u1' } });
  await client.delete('/api/v1/namespaces/default/configmaps/b');
  assert.deepEqual(
    seen.map((s) => [s.method, s.headers['content-type'], s.body === '' ? undefined : JSON.parse(s.body)]),
    [
      ['POST', 'application/json', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }],
      ['PUT', 'application/json', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '7' } }],
      ['DELETE', 'application/json', { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, preconditions: { uid: 'u1' } }],
      ['DELETE', undefined, undefined],
    ],
  );
  assert.deepEqual(reply, { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {} });
});

test('patch sends the content type of each patch type', async () => {
  await client.patch('/api/v1/namespaces/default/configmaps/a', 'merge', { data: { k: 'm' } });
  await client.patch('/api/v1/namespaces/default/configmaps/a', 'strategic', { data: { k: 's' } });
  await client.patch('/api/v1/namespaces/default/configmaps/a', 'json', [{ op: 'replace', path: '/data/k', value: 'j' }]);
  assert.deepEqual(
    seen.map((s) => [s.method, s.headers['content-type'], JSON.parse(s.body)]),
    [
      ['PATCH', 'application/merge-patch+json', { data: { k: 'm' } }],
      ['PATCH', 'application/strategic-merge-patch+json', { data: { k: 's' } }],
      ['PATCH', 'application/json-patch+json', [{ op: 'replace', path: '/data/k', value: 'j' }]],
    ],
  );
  await rejectsWith(client.patch('/api/v1/x', 'json', { not: 'a list' }), ErrorCode.InvalidArgument);
});

test('list builds the query and fills apiVersion/kind that items omit', async () => {
  handler = (_req, res) =>
    json(res, 200, { apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '42', continue: 'next' }, items: [{ metadata: { name: 'a' } }] });
  const list = await client.list('/api/v1/configmaps', { labelSelector: 'app=web,tier in (a,b)', fieldSelector: 'metadata.namespace=default', resourceVersion: '0', limit: 500, continue: 'tok' });
  const q = only().url.searchParams;
  assert.deepEqual(Object.fromEntries(q), { labelSelector: 'app=web,tier in (a,b)', fieldSelector: 'metadata.namespace=default', resourceVersion: '0', limit: '500', continue: 'tok' });
  assert.deepEqual(list.metadata, { resourceVersion: '42', continue: 'next' });
  assert.equal(list.items[0]?.kind, 'ConfigMap');
  assert.equal(list.items[0]?.apiVersion, 'v1');
  await client.list('/api/v1/configmaps');
  assert.equal(seen[1]?.url.search, '');
});

test('HTTP statuses map to error codes with the Status message', async () => {
  const cases: Array<[number, string, Code]> = [
    [400, 'BadRequest', ErrorCode.InvalidArgument],
    [403, 'Forbidden', ErrorCode.PermissionDenied],
    [404, 'NotFound', ErrorCode.NotFound],
    [409, 'AlreadyExists', ErrorCode.AlreadyExists],
    [409, 'Conflict', ErrorCode.Conflict],
    [410, 'Expired', ErrorCode.Gone],
    [422, 'Invalid', ErrorCode.InvalidArgument],
    [429, 'TooManyRequests', ErrorCode.Unavailable],
    [500, 'InternalError', ErrorCode.Unavailable],
    [503, 'ServiceUnavailable', ErrorCode.Unavailable],
  ];
  for (const [code, reason, want] of cases) {
    handler = (_req, res) => json(res, code, status(code, reason, `message for ${code} ${reason}`));
    const err = await rejectsWith(client.get('/api/v1/x'), want, new RegExp(`^message for ${code} ${reason}$`));
    assert.ok(err instanceof KubeApiError);
    assert.equal(err.httpStatus, code);
    assert.equal(err.reason, reason);
  }
});

test('401 is PermissionDenied saying Unauthorized; a non-Status body is described', async () => {
  handler = (_req, res) => json(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
  await rejectsWith(client.get('/api/v1/x'), ErrorCode.PermissionDenied, /^Unauthorized$/);
  handler = (_req, res) => {
    res.writeHead(401);
    res.end('go away');
  };
  await rejectsWith(client.get('/api/v1/x'), ErrorCode.PermissionDenied, /^Unauthorized: GET \/api\/v1\/x: .*HTTP 401: go away$/);
  handler = (_req, res) => {
    res.writeHead(502);
    res.end('<html>bad gateway</html>');
  };
  await rejectsWith(client.get('/api/v1/x'), ErrorCode.Unavailable, /HTTP 502: <html>bad gateway/);
});

test('replies that are not objects of the promised shape are refused', async () => {
  handler = (_req, res) => json(res, 200, { kind: 'ConfigMap', metadata: { name: 'a' } });
  await rejectsWith(client.get('/api/v1/x'), ErrorCode.Internal, /apiVersion is missing/);
  handler = (_req, res) => json(res, 200, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { a: 1 } } });
  await rejectsWith(client.get('/api/v1/x'), ErrorCode.Internal, /metadata.labels is not a map of strings/);
  handler = (_req, res) => {
    res.writeHead(200);
    res.end('{not json');
  };
  await rejectsWith(client.get('/api/v1/x'), ErrorCode.Internal, /not JSON/);
});

test('a path with a query is refused; the server URL path is a prefix', async () => {
  await rejectsWith(client.get('/api/v1/x?watch=1'), ErrorCode.InvalidArgument);
  const prefixed = createKubeClient({ credentials: { server: `${base}/k8s/clusters/c1/`, insecureSkipTlsVerify: false } });
  try {
    await prefixed.get('/api/v1/namespaces/default/configmaps/a');
    assert.equal(seen.at(-1)?.url.pathname, '/k8s/clusters/c1/api/v1/namespaces/default/configmaps/a');
    assert.equal(seen.at(-1)?.headers.authorization, undefined);
  } finally {
    prefixed.close();
  }
});

test('the per-call deadline gives DeadlineExceeded; the signal gives Cancelled', async () => {
  handler = () => undefined; // never answers
  await rejectsWith(client.get('/api/v1/slow', { timeoutMs: 50 }), ErrorCode.DeadlineExceeded, /no reply within 50 ms/);
  const ac = new AbortController();
  const p = client.get('/api/v1/slow', { signal: ac.signal });
  ac.abort();
  await rejectsWith(p, ErrorCode.Cancelled);
  await rejectsWith(client.get('/api/v1/slow', { signal: AbortSignal.abort() }), ErrorCode.Cancelled);
});

test('a refused connection is Unavailable', async () => {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const dead = createKubeClient({ credentials: { server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: false } });
  try {
    await rejectsWith(dead.get('/api/v1/x'), ErrorCode.Unavailable, /cannot reach/);
  } finally {
    dead.close();
  }
});

test('watch sends the watch query and parses events split across chunks', async () => {
  const line = (type: string, name: string, rv: string): string => `${JSON.stringify({ type, object: cm(name, rv) })}\n`;
  handler = async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const first = line('ADDED', 'a', '2');
    res.write(first.slice(0, 10));
    await new Promise((r) => setTimeout(r, 20));
    res.write(first.slice(10) + line('MODIFIED', 'a', '3').slice(0, 5));
    await new Promise((r) => setTimeout(r, 20));
    res.write(line('MODIFIED', 'a', '3').slice(5) + '\n' + line('DELETED', 'a', '4'));
    res.end(JSON.stringify({ type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '9' } } }) + '\n');
  };
  const events = await collect(client.watch('/api/v1/configmaps', { resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 321, labelSelector: 'a=b', fieldSelector: 'metadata.name=a' }));
  assert.deepEqual(events, ['ADDED a 2', 'MODIFIED a 3', 'DELETED a 4', 'BOOKMARK  9']);
  assert.deepEqual(Object.fromEntries(only().url.searchParams), {
    labelSelector: 'a=b',
    fieldSelector: 'metadata.name=a',
    resourceVersion: '1',
    watch: '1',
    allowWatchBookmarks: 'true',
    timeoutSeconds: '321',
  });
});

test('a watch ERROR event with 410 throws Gone after the events before it; other ERRORs map too', async () => {
  handler = (_req, res) => {
    res.writeHead(200);
    res.write(`${JSON.stringify({ type: 'ADDED', object: cm('a', '5') })}\n`);
    res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 1 (5)') })}\n`);
  };
  const got: string[] = [];
  await rejectsWith(
    (async () => {
      for await (const ev of client.watch('/api/v1/configmaps', { resourceVersion: '1' })) got.push(ev.type);
    })(),
    ErrorCode.Gone,
    /too old resource version/,
  );
  assert.deepEqual(got, ['ADDED']);

  handler = (_req, res) => {
    res.writeHead(200);
    res.end(`${JSON.stringify({ type: 'ERROR', object: status(500, 'InternalError', 'boom') })}\n`);
  };
  await rejectsWith(collect(client.watch('/api/v1/configmaps')), ErrorCode.Unavailable, /^boom$/);

  handler = (_req, res) => json(res, 403, status(403, 'Forbidden', 'configmaps is forbidden'));
  await rejectsWith(collect(client.watch('/api/v1/configmaps')), ErrorCode.PermissionDenied, /forbidden/);

  handler = (_req, res) => {
    res.writeHead(200);
    res.end(`${JSON.stringify({ type: 'WHATEVER', object: cm('a') })}\n`);
  };
  await rejectsWith(collect(client.watch('/api/v1/configmaps')), ErrorCode.Internal, /unknown event type/);
});

test('aborting a watch mid-stream throws Cancelled; leaving the loop closes the stream', async () => {
  let closed = 0;
  handler = (_req, res) => {
    res.writeHead(200);
    res.write(`${JSON.stringify({ type: 'ADDED', object: cm('a', '2') })}\n`);
    res.on('close', () => closed++);
  };
  const ac = new AbortController();
  const got: string[] = [];
  await rejectsWith(
    (async () => {
      for await (const ev of client.watch('/api/v1/configmaps', { signal: ac.signal })) {
        got.push(ev.type);
        ac.abort();
      }
    })(),
    ErrorCode.Cancelled,
  );
  assert.deepEqual(got, ['ADDED']);

  for await (const ev of client.watch('/api/v1/configmaps')) {
    assert.equal(ev.type, 'ADDED');
    break;
  }
  // Both server responses see their connection go away.
  while (closed < 2) await new Promise((r) => setTimeout(r, 10));
  assert.equal(closed, 2);
});

test('a stream cut inside an event is Unavailable', async () => {
  handler = (_req, res) => {
    res.writeHead(200);
    res.end('{"type":"ADDED","obj');
  };
  await rejectsWith(collect(client.watch('/api/v1/configmaps')), ErrorCode.Unavailable, /ended inside an event/);
});
