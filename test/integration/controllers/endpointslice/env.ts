// What the controller integration tests share: a real apiserver handler (in-process, SQLite), a
// KubeClient on it as the controllers use, and a bounded wait for a condition to hold.
import assert from 'node:assert/strict';
import { createKubeClient } from '../../../../src/api/client/rest-client.js';
import type { KubeClient } from '../../../../src/api/client/types.js';
import { systemClock } from '../../../../src/base/clock.js';
import { createLogger, type Logger } from '../../../../src/base/log.js';
import { startTestServer, TEST_TOKEN, type TestServer } from '../../apiserver/server.js';

export interface ControllerEnv {
  server: TestServer;
  client: KubeClient;
  deps: { client: KubeClient; clock: typeof systemClock; log: Logger };
  close(): Promise<void>;
}

export async function startEnv(): Promise<ControllerEnv> {
  const server = await startTestServer();
  const client = createKubeClient({ credentials: { server: server.url, token: TEST_TOKEN, insecureSkipTlsVerify: false } });
  const log = createLogger({ level: process.env.NODELET_TEST_LOG ?? 'error', format: 'text' });
  return {
    server,
    client,
    deps: { client, clock: systemClock, log },
    async close() {
      client.close();
      await server.close();
    },
  };
}

/** Polls `check` until it stops throwing; fails with its last error after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
