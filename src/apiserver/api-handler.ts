// The apiserver's request handler: authentication, routing, and the error boundary that turns
// anything thrown into a Status response (the server never dies on input). It also owns what
// runs beside the handlers: bootstrap of the built-in namespaces and the `kubernetes` Service,
// the garbage collector and the namespace finalizer. The composition root (main.ts) serves it
// over HTTPS; tests serve it over plain HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../base/clock.js';
import { errorMessage } from '../base/errors.js';
import { DisposableStore, toDisposable } from '../base/lifecycle.js';
import type { Logger } from '../base/log.js';
import type { Authenticator, Authorizer, UserInfo } from './auth/types.js';
import { bootstrap } from './bootstrap.js';
import { GarbageCollector } from './controllers/garbage-collector.js';
import { NamespaceFinalizer } from './controllers/namespace-finalizer.js';
import type { HandlerDeps, TableConverter } from './handlers/context.js';
import { ObjectStore } from './registry/object-store.js';
import { Registry } from './registry/registry.js';
import { defaultAdmission } from './registry/admission.js';
import { parseRequestInfo, type ResourceRequestInfo } from './request-info.js';
import { writeStatus, writeText } from './respond.js';
import { authorize, dispatch, isPublicPath, resolveResource, serveNonResource } from './router.js';
import { ServiceAllocator } from './services/service-allocator.js';
import { ApiError, badRequest, toApiError, unauthorized } from './status.js';
import type { Store } from './storage/store.js';
import { tableConverter } from './table-adapter.js';

export interface ApiHandlerDeps {
  store: Store;
  authenticator: Authenticator;
  authorizer: Authorizer;
  clock: Clock;
  log: Logger;
  /** Default 10.96.0.0/12; its first address is the `kubernetes` Service's ClusterIP. */
  serviceClusterIPRange?: string;
  /** Default 30000-32767. */
  serviceNodePortRange?: string;
  /** Where clients reach this apiserver: the `kubernetes` Service's endpoint. */
  advertiseAddress: string;
  securePort: number;
  /** Tuning for tests; defaults as upstream. */
  watchBookmarkIntervalMs?: number;
  minRequestTimeoutMs?: number;
  toTable?: TableConverter;
}

export interface ApiHandler {
  /** Serves one request; never throws (errors become Status responses). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Creates the built-in namespaces and the `kubernetes` Service, starts the controllers. */
  start(): Promise<void>;
  /** Ends open watches and stops the controllers. Idempotent. */
  dispose(): Promise<void>;
}

const DEFAULT_BOOKMARK_INTERVAL_MS = 60_000;
/** Upstream's --min-request-timeout (1800 s): watches end after a random 30-60 minutes. */
const DEFAULT_MIN_REQUEST_TIMEOUT_MS = 1_800_000;

export function createApiHandler(deps: ApiHandlerDeps): ApiHandler {
  return new ApiServerHandler(deps);
}

class ApiServerHandler implements ApiHandler {
  private readonly objects: ObjectStore;
  private readonly registry: Registry;
  private readonly handlerDeps: HandlerDeps;
  private readonly services: ServiceAllocator;
  private readonly running = new Set<AbortController>();
  private readonly disposables = new DisposableStore();
  private started = false;
  private disposed = false;

  constructor(private readonly deps: ApiHandlerDeps) {
    this.objects = new ObjectStore({ store: deps.store });
    this.services = new ServiceAllocator({
      store: deps.store,
      objects: this.objects,
      clock: deps.clock,
      log: deps.log,
      clusterIPRange: deps.serviceClusterIPRange ?? '10.96.0.0/12',
      nodePortRange: deps.serviceNodePortRange ?? '30000-32767',
    });
    this.registry = new Registry({
      objects: this.objects,
      clock: deps.clock,
      admission: defaultAdmission,
      hooks: new Map([['services', this.services]]),
    });
    this.handlerDeps = {
      registry: this.registry,
      clock: deps.clock,
      log: deps.log,
      toTable: deps.toTable ?? tableConverter,
      watch: {
        bookmarkIntervalMs: deps.watchBookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS,
        minRequestTimeoutMs: deps.minRequestTimeoutMs ?? DEFAULT_MIN_REQUEST_TIMEOUT_MS,
      },
    };
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.serve(req, res).catch((err: unknown) => {
      // Only writing the error response itself can end up here (e.g. a socket torn down).
      this.deps.log.warn('answering a request failed', { url: req.url, error: errorMessage(err) });
      res.destroy();
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.services.start();
    await bootstrap({
      registry: this.registry,
      log: this.deps.log,
      kubernetesServiceIP: this.services.firstIP,
      advertiseAddress: this.deps.advertiseAddress,
      securePort: this.deps.securePort,
    });
    const gc = new GarbageCollector({ registry: this.registry, clock: this.deps.clock, log: this.deps.log });
    this.disposables.add(gc);
    gc.start();
    const namespaces = new NamespaceFinalizer({ registry: this.registry, clock: this.deps.clock, log: this.deps.log });
    this.disposables.add(namespaces);
    namespaces.start();
    this.disposables.add(toDisposable(() => this.services.dispose()));
    this.started = true;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const c of this.running) c.abort();
    await this.disposables.dispose();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const controller = new AbortController();
    this.running.add(controller);
    const onClose = (): void => controller.abort();
    res.once('close', onClose);
    let info: ResourceRequestInfo | undefined;
    try {
      if (this.disposed) throw new ApiError(503, 'ServiceUnavailable', 'the apiserver is shutting down');
      const url = parseUrl(req.url);
      const user = this.authenticate(req);
      if (user === undefined && !isPublicPath(url.pathname)) throw unauthorized();
      const parsed = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      if (parsed === undefined) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      if (!parsed.isResource) {
        const served = serveNonResource(req, res, url.pathname, url.searchParams, {
          serverAddress: `${this.deps.advertiseAddress}:${this.deps.securePort}`,
          ready: () => this.started && !this.disposed,
        });
        if (!served) writeText(res, 404, '404 page not found\n');
        return;
      }
      info = parsed;
      if (user === undefined) throw unauthorized();
      const { resource, subresource } = resolveResource(parsed);
      authorize(this.deps.authorizer, user, parsed, resource);
      await dispatch(
        { req, res, info: parsed, resource, subresource, query: url.searchParams, user, signal: controller.signal },
        this.handlerDeps,
      );
    } catch (err) {
      const apiErr = toApiError(err, info === undefined ? undefined : { group: info.group, resource: info.resource }, info?.name ?? '');
      if (apiErr.code >= 500) {
        this.deps.log.error('request failed', { method: req.method, url: req.url, error: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
      }
      if (!res.headersSent) writeStatus(res, apiErr);
      else res.destroy();
    } finally {
      res.off('close', onClose);
      this.running.delete(controller);
    }
  }

  private authenticate(req: IncomingMessage): UserInfo | undefined {
    try {
      return this.deps.authenticator.authenticate(req);
    } catch (err) {
      this.deps.log.warn('authentication failed', { error: errorMessage(err) });
      return undefined;
    }
  }
}

function parseUrl(raw: string | undefined): URL {
  try {
    return new URL(raw ?? '/', 'http://apiserver.invalid');
  } catch {
    throw badRequest('the request URL is malformed');
  }
}
