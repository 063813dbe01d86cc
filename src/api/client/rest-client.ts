// KubeClient over node:https (node:http for http:// servers): JSON in and out, one keep-alive
// agent carrying the kubeconfig's TLS material, a bearer token header, a deadline per call and
// the caller's AbortSignal. Every reply is validated before it is returned (decode.ts); failures
// are NodeletErrors mapped from the HTTP status (http-errors.ts).
import type * as Http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { ErrorCode, NodeletError, errorMessage, isNodeletError } from '../../base/errors.js';
import type { KubeObject } from '../object.js';
import { toKubeObject, toObjectList, toWatchLine } from './decode.js';
import { errorFromResponse, errorFromStatus } from './http-errors.js';
import type { KubeCredentials } from './kubeconfig.js';
import type { KubeClient, ListOptions, ObjectList, PatchType, RequestOptions, WatchEvent, WatchOptions } from './types.js';
import { LineSplitter } from './watch-lines.js';

export type { KubeCredentials } from './kubeconfig.js';

// Not `import http from 'node:http'`: an ES import of node:http evaluates its lazy WebSocket and
// EventSource exports, which load undici and web streams (13 MiB of RSS in a bare node; daemons
// here never use them); the CommonJS module object loads nothing more.
const http = process.getBuiltinModule('node:http');

export interface KubeClientDeps {
  credentials: KubeCredentials;
  userAgent?: string;
  /** Deadline of a call when its options give none (default 30 s); <= 0: none. */
  defaultTimeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
/** Replies larger than this are refused rather than buffered (lists of very many objects). */
const MAX_BODY_BYTES = 512 * 1024 * 1024;

export const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

export function createKubeClient(deps: KubeClientDeps): KubeClient {
  return new RestClient(deps);
}

/** The query of a list or watch call, with upstream's parameter names. */
export function listQuery(opts: ListOptions & WatchOptions, watch: boolean): URLSearchParams {
  const q = new URLSearchParams();
  if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
  if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
  if (opts.resourceVersion !== undefined && opts.resourceVersion !== '') q.set('resourceVersion', opts.resourceVersion);
  if (!watch) {
    if (opts.limit !== undefined && opts.limit > 0) q.set('limit', String(Math.floor(opts.limit)));
    if (opts.continue) q.set('continue', opts.continue);
    return q;
  }
  q.set('watch', '1');
  if (opts.allowWatchBookmarks) q.set('allowWatchBookmarks', 'true');
  if (opts.timeoutSeconds !== undefined && opts.timeoutSeconds > 0) q.set('timeoutSeconds', String(Math.floor(opts.timeoutSeconds)));
  return q;
}

interface CallSpec {
  method: string;
  path: string;
  query?: URLSearchParams;
  body?: unknown;
  contentType?: string;
}

/** One request's cancellation: the caller's signal and a deadline; finish() releases it. */
class CallScope {
  private readonly local = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private req: Http.ClientRequest | undefined;
  private res: Http.IncomingMessage | undefined;
  readonly signal: AbortSignal;

  constructor(
    private readonly what: string,
    private readonly user: AbortSignal | undefined,
    private readonly timeoutMs: number,
  ) {
    this.signal = user === undefined ? this.local.signal : AbortSignal.any([user, this.local.signal]);
    this.signal.addEventListener('abort', this.onAbort, { once: true });
    if (timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.local.abort();
      }, timeoutMs);
      this.timer.unref();
    }
  }

  /** The request to destroy when the call is aborted or finished early. */
  attach(req: Http.ClientRequest): void {
    this.req = req;
    req.on('response', (res) => (this.res = res));
  }

  /** Stops the deadline (a watch has none once streaming). */
  clearDeadline(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Releases the call; a reply not read to its end (a watch the consumer left) is cut. */
  finish(): void {
    this.clearDeadline();
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.req !== undefined && this.res?.complete !== true) this.req.destroy();
  }

  /** Why the call ended early: Cancelled for the caller's signal, DeadlineExceeded for the deadline. */
  abortError(): NodeletError {
    if (this.timedOut && this.user?.aborted !== true) {
      return new NodeletError(ErrorCode.DeadlineExceeded, `${this.what}: no reply within ${this.timeoutMs} ms`);
    }
    return new NodeletError(ErrorCode.Cancelled, `${this.what}: cancelled`, { cause: this.user?.reason });
  }

  /** What a failure means: the abort reason when aborted, a NodeletError as is, else Unavailable. */
  mapError(err: unknown, server: string): NodeletError {
    if (this.signal.aborted) return this.abortError();
    if (isNodeletError(err)) return err;
    return new NodeletError(ErrorCode.Unavailable, `${this.what}: cannot reach ${server}: ${errorMessage(err)}`, { cause: err });
  }

  private readonly onAbort = (): void => {
    this.req?.destroy(this.abortError());
  };
}

class RestClient implements KubeClient {
  readonly server: string;
  private readonly base: URL;
  private readonly agent: Http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly headers: Record<string, string>;
  private readonly defaultTimeoutMs: number;

  constructor(deps: KubeClientDeps) {
    const c = deps.credentials;
    this.server = c.server;
    try {
      this.base = new URL(c.server);
    } catch {
      throw new NodeletError(ErrorCode.InvalidConfig, `server "${c.server}" is not a URL`);
    }
    const tlsServer = this.base.protocol === 'https:';
    if (!tlsServer && this.base.protocol !== 'http:') throw new NodeletError(ErrorCode.InvalidConfig, `server "${c.server}" must be an https:// or http:// URL`);
    this.transport = tlsServer ? https : http;
    this.agent = tlsServer
      ? new https.Agent({
          keepAlive: true,
          rejectUnauthorized: !c.insecureSkipTlsVerify,
          // One TLS context for every connection: given ca/cert/key instead, each new socket
          // parses them into a context of its own (native memory V8 does not see).
          secureContext: tls.createSecureContext({
            ...(c.ca === undefined ? {} : { ca: c.ca }),
            ...(c.cert === undefined ? {} : { cert: c.cert }),
            ...(c.key === undefined ? {} : { key: c.key }),
          }),
          ...(c.tlsServerName === undefined ? {} : { servername: c.tlsServerName }),
        })
      : new http.Agent({ keepAlive: true });
    this.headers = { accept: 'application/json', 'user-agent': deps.userAgent ?? `nodelet (linux/${process.arch})` };
    if (c.token !== undefined) this.headers.authorization = `Bearer ${c.token}`;
    this.defaultTimeoutMs = deps.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async get(path: string, opts: RequestOptions = {}): Promise<KubeObject> {
    return toKubeObject(await this.call({ method: 'GET', path }, opts), `GET ${path}`);
  }

  async list(path: string, opts: ListOptions = {}): Promise<ObjectList> {
    return toObjectList(await this.call({ method: 'GET', path, query: listQuery(opts, false) }, opts), `list ${path}`);
  }

  async create(path: string, body: KubeObject, opts: RequestOptions = {}): Promise<KubeObject> {
    return toKubeObject(await this.call({ method: 'POST', path, body }, opts), `POST ${path}`);
  }

  async update(path: string, body: KubeObject, opts: RequestOptions = {}): Promise<KubeObject> {
    return toKubeObject(await this.call({ method: 'PUT', path, body }, opts), `PUT ${path}`);
  }

  async patch(path: string, type: PatchType, patch: unknown, opts: RequestOptions = {}): Promise<KubeObject> {
    const contentType = PATCH_CONTENT_TYPES[type];
    if (contentType === undefined) throw new NodeletError(ErrorCode.InvalidArgument, `unknown patch type ${JSON.stringify(type)}`);
    if (type === 'json' && !Array.isArray(patch)) throw new NodeletError(ErrorCode.InvalidArgument, 'a JSON patch must be a list of operations');
    return toKubeObject(await this.call({ method: 'PATCH', path, body: patch, contentType }, opts), `PATCH ${path}`);
  }

  async delete(
    path: string,
    options?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } },
    opts: RequestOptions = {},
  ): Promise<unknown> {
    const body = options === undefined ? undefined : { apiVersion: 'v1', kind: 'DeleteOptions', ...options };
    return this.call({ method: 'DELETE', path, ...(body === undefined ? {} : { body }) }, opts);
  }

  watch(path: string, opts: WatchOptions = {}): AsyncIterable<WatchEvent> {
    return { [Symbol.asyncIterator]: () => this.streamWatch(path, opts) };
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request-reply: JSON of a 2xx reply, or the mapped error. */
  private async call(spec: CallSpec, opts: RequestOptions): Promise<unknown> {
    const what = `${spec.method} ${spec.path}`;
    const scope = new CallScope(what, opts.signal, opts.timeoutMs ?? this.defaultTimeoutMs);
    try {
      const res = await this.send(spec, scope);
      const body = await readBody(res, MAX_BODY_BYTES, what);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) throw errorFromResponse(status, body, what);
      if (body.length === 0) return {};
      try {
        return JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new NodeletError(ErrorCode.Internal, `${what}: the reply is not JSON: ${errorMessage(err)}`, { cause: err });
      }
    } catch (err) {
      throw scope.mapError(err, this.server);
    } finally {
      scope.finish();
    }
  }

  /**
   * The deadline (opts.timeoutMs, else the client's default) bounds the wait for the reply's
   * headers; the stream then runs until the server ends it (timeoutSeconds) or the signal fires.
   */
  private async *streamWatch(path: string, opts: WatchOptions): AsyncGenerator<WatchEvent> {
    const what = `watch ${path}`;
    const scope = new CallScope(what, opts.signal, opts.timeoutMs ?? this.defaultTimeoutMs);
    try {
      const res = await this.send({ method: 'GET', path, query: listQuery(opts, true) }, scope);
      scope.clearDeadline();
      const status = res.statusCode ?? 0;
      if (status !== 200) throw errorFromResponse(status, await readBody(res, 1024 * 1024, what), what);
      const lines = new LineSplitter();
      for await (const chunk of res as AsyncIterable<Buffer>) {
        for (const line of lines.push(chunk)) {
          let value: unknown;
          try {
            value = JSON.parse(line);
          } catch (err) {
            throw new NodeletError(ErrorCode.Internal, `${what}: an event is not JSON: ${errorMessage(err)}`, { cause: err });
          }
          const decoded = toWatchLine(value, `${what} event`);
          if ('status' in decoded) throw errorFromStatus(decoded.status);
          yield decoded.event;
        }
      }
      if (lines.hasPartialLine()) throw new NodeletError(ErrorCode.Unavailable, `${what}: the stream ended inside an event`);
    } catch (err) {
      throw scope.mapError(err, this.server);
    } finally {
      scope.finish();
    }
  }

  /** Sends the request; resolves with the reply once its headers arrive. */
  private send(spec: CallSpec, scope: CallScope): Promise<Http.IncomingMessage> {
    const url = new URL(this.base.href);
    url.pathname = joinPath(this.base.pathname, spec.path);
    url.search = spec.query?.toString() ?? '';
    const headers = { ...this.headers };
    let payload: Buffer | undefined;
    if (spec.body !== undefined) {
      const text = JSON.stringify(spec.body);
      if (text === undefined) return Promise.reject(new NodeletError(ErrorCode.InvalidArgument, `${spec.method} ${spec.path}: the body is not JSON`));
      payload = Buffer.from(text, 'utf8');
      headers['content-type'] = spec.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    return new Promise((resolve, reject) => {
      if (scope.signal.aborted) {
        reject(scope.abortError());
        return;
      }
      const req = this.transport.request(url, { method: spec.method, agent: this.agent, headers });
      scope.attach(req);
      req.on('response', resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function joinPath(basePath: string, path: string): string {
  if (!path.startsWith('/') || path.includes('?') || path.includes('#')) {
    throw new NodeletError(ErrorCode.InvalidArgument, `API path "${path}" must start with / and carry no query`);
  }
  return basePath.replace(/\/+$/, '') + path;
}

async function readBody(res: Http.IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new NodeletError(ErrorCode.ResourceExhausted, `${what}: the reply is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
