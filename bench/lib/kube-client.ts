// A minimal HTTPS client for benchmarks and tests that talk to an apiserver with an admin
// kubeconfig: keep-alive connections, the kubeconfig's CA and bearer token, JSON in and out.
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isJsonObject, type JsonValue } from '../../src/api/object.js';

export interface KubeResponse {
  status: number;
  body: JsonValue | undefined;
}

export interface KubeClient {
  readonly server: string;
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
  /** Opens a watch and calls onEvent per line until the signal aborts. */
  watch(path: string, onEvent: (event: JsonValue) => void, signal: AbortSignal): Promise<void>;
  close(): void;
}

function field(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isJsonObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

export async function clientFromKubeconfig(file: string, maxSockets = 64): Promise<KubeClient> {
  const cfg: unknown = parse(await readFile(file, 'utf8'));
  const server = field(cfg, 'clusters', '0', 'cluster', 'server');
  const caData = field(cfg, 'clusters', '0', 'cluster', 'certificate-authority-data');
  const token = field(cfg, 'users', '0', 'user', 'token');
  if (typeof server !== 'string' || typeof caData !== 'string' || typeof token !== 'string') {
    throw new Error(`${file}: expected a kubeconfig with a server, CA data and a token`);
  }
  const agent = new https.Agent({ keepAlive: true, maxSockets, ca: Buffer.from(caData, 'base64') });
  const base = new URL(server);
  const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };

  const request = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        new URL(path, base),
        { method, agent, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': contentType }) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: JsonValue | undefined;
            try {
              parsed = text === '' ? undefined : (JSON.parse(text) as JsonValue);
            } catch {
              parsed = text;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  const watch = (path: string, onEvent: (event: JsonValue) => void, signal: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = https.request(new URL(path, base), { method: 'GET', agent, headers, signal }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (line.trim() !== '') onEvent(JSON.parse(line) as JsonValue);
          }
        });
        res.on('end', () => resolve());
        res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      });
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      req.end();
    });

  return { server, request, watch, close: () => agent.destroy() };
}
