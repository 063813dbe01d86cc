// The ServiceAccounts controller (upstream pkg/controller/serviceaccount serviceaccounts_controller):
// every active namespace has the `default` ServiceAccount; created when missing, recreated when
// deleted. Namespaces being deleted are left alone (they refuse new content anyway).
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { Informer } from '../../../api/client/informer.js';
import type { KubeObject } from '../../../api/object.js';
import { WorkQueue } from '../work-queue.js';
import type { ControllerDeps } from '../deps.js';

export interface ServiceAccountsControllerOptions {
  /** The accounts every namespace gets (upstream's default: just "default"). */
  names?: string[];
}

interface Meta {
  namespace: string;
  name: string;
  deleting: boolean;
}

function parseMeta(obj: KubeObject): Meta {
  return { namespace: obj.metadata.namespace ?? '', name: obj.metadata.name ?? '', deleting: obj.metadata.deletionTimestamp !== undefined };
}

/** The accounts a namespace lacks (pure). */
export function missingAccounts(namespace: Meta | undefined, names: readonly string[], has: (name: string) => boolean): string[] {
  if (namespace === undefined || namespace.deleting) return [];
  return names.filter((n) => !has(n));
}

export class ServiceAccountsController implements Disposable {
  private readonly names: readonly string[];
  private readonly namespaces: Informer<Meta>;
  private readonly accounts: Informer<Meta>;
  private readonly queue: WorkQueue;
  private starting: Promise<void> | undefined;

  constructor(
    private readonly deps: ControllerDeps,
    opts: ServiceAccountsControllerOptions = {},
  ) {
    this.names = Object.freeze([...(opts.names ?? ['default'])]);
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'serviceaccounts controller' }, (ns) => this.sync(ns));
    const onError = (err: unknown): void => {
      deps.log.warn('serviceaccounts controller: watch failed', { error: errorMessage(err) });
    };
    this.namespaces = new Informer<Meta>(deps, { path: '/api/v1/namespaces', parse: parseMeta, onError });
    this.accounts = new Informer<Meta>(deps, { path: '/api/v1/serviceaccounts', parse: parseMeta, onError });
    this.namespaces.addHandlers({ upsert: (_k, ns) => this.queue.add(ns.name) });
    this.accounts.addHandlers({
      deleted: (_k, sa) => {
        if (this.names.includes(sa.name)) this.queue.add(sa.namespace);
      },
    });
  }

  start(): void {
    this.starting ??= (async () => {
      this.namespaces.start();
      this.accounts.start();
      await Promise.all([this.namespaces.waitForSync(), this.accounts.waitForSync()]);
      this.queue.start();
    })();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    await this.queue.dispose();
    await Promise.all([this.namespaces.dispose(), this.accounts.dispose()]);
    await this.starting;
  }

  private async sync(namespace: string): Promise<void> {
    const missing = missingAccounts(this.namespaces.get(namespace), this.names, (n) => this.accounts.get(`${namespace}/${n}`) !== undefined);
    for (const name of missing) {
      try {
        await this.deps.client.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
        this.deps.log.info('serviceaccounts controller: created a service account', { namespace, name });
      } catch (err) {
        // Already there (our cache lags), or the namespace is going away / gone.
        if (isNodeletError(err, ErrorCode.AlreadyExists) || isNodeletError(err, ErrorCode.NotFound) || isNodeletError(err, ErrorCode.PermissionDenied)) continue;
        throw err;
      }
    }
  }
}
