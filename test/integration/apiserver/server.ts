// A real apiserver handler on 127.0.0.1 (a free port) over a real SqliteStore in a temp dir, with
// a static bearer token: plain HTTP for the tests that use fetch, HTTPS with a generated CA for
// kubectl (client-go sends credentials only over TLS).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { createApiHandler, type ApiHandler, type ApiHandlerDeps } from '../../../src/apiserver/api-handler.js';
import type { Authenticator } from '../../../src/apiserver/auth/types.js';
import { allowAuthenticated } from '../../../src/apiserver/auth/types.js';
import { SqliteStore, sqliteFile } from '../../../src/apiserver/storage/sqlite.js';
import { systemClock } from '../../../src/base/clock.js';
import { createLogger } from '../../../src/base/log.js';
import { createTempDir, type TempDir } from '../../harness/tmp.js';
import { loadServingTls } from '../../../src/apiserver/tls/serving.js';
import { buildKubeconfig } from '../../../src/apiserver/kubeconfig.js';

export const TEST_TOKEN = 'test-admin-token';

export const tokenAuthenticator: Authenticator = {
  authenticate: (req) =>
    req.headers.authorization === `Bearer ${TEST_TOKEN}` ? { name: 'test-admin', uid: 'test-admin', groups: ['system:masters'] } : undefined,
};

export interface TestServer {
  url: string;
  port: number;
  tmp: TempDir;
  store: SqliteStore;
  handler: ApiHandler;
  /** A new handler on the same store and port, as after an apiserver restart. */
  restart(): Promise<void>;
  /** fetch with the admin token; JSON bodies are serialized. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  kubeconfig(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(opts: Partial<ApiHandlerDeps> & { tls?: boolean } = {}): Promise<TestServer> {
  const { tls: useTls = false, ...handlerOpts } = opts;
  const tmp = await createTempDir();
  const store = new SqliteStore({ file: sqliteFile(tmp.path), compaction: false });
  const log = createLogger({ level: process.env.NODELET_TEST_LOG ?? 'error', format: 'text' });
  const tls = useTls
    ? await loadServingTls({ dataDir: tmp.path, names: { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, clock: systemClock, log })
    : undefined;
  const server = tls === undefined ? http.createServer() : https.createServer({ cert: tls.cert, key: tls.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const newHandler = (): ApiHandler =>
    createApiHandler({
      store,
      authenticator: tokenAuthenticator,
      authorizer: allowAuthenticated,
      clock: systemClock,
      log,
      advertiseAddress: '127.0.0.1',
      securePort: port,
      ...handlerOpts,
    });
  let handler = newHandler();
  server.on('request', (req, res) => handler.handle(req, res));
  await handler.start();
  const url = `${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  return {
    url,
    port,
    tmp,
    store,
    get handler() {
      return handler;
    },
    async restart() {
      await handler.dispose();
      handler = newHandler();
      await handler.start();
    },
    async request(method, path, body, headers = {}) {
      const isRaw = typeof body === 'string' || body instanceof Uint8Array;
      const init: RequestInit = {
        method,
        headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(body !== undefined && !isRaw ? { 'content-type': 'application/json' } : {}), ...headers },
      };
      if (body !== undefined) init.body = isRaw ? (body as string) : JSON.stringify(body);
      const res = await fetch(url + path, init);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON (e.g. the text of a 404 page).
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async kubeconfig() {
      const file = tmp.join('kubeconfig');
      await writeFile(file, buildKubeconfig({ server: url, caPem: tls?.caBundle ?? '', token: TEST_TOKEN }));
      return file;
    },
    async close() {
      server.closeAllConnections();
      await handler.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.dispose();
      await tmp.dispose();
    },
  };
}
