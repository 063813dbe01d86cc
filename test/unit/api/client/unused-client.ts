// A base for fake KubeClients: every call fails as unused, so a fake overrides only what its
// test expects to be called (an unexpected call shows up as a failure, not a silent default).
import type { KubeClient, ObjectList, WatchEvent } from '../../../../src/api/client/types.js';
import type { KubeObject } from '../../../../src/api/object.js';

export class UnusedKubeClient implements KubeClient {
  readonly server: string = 'https://fake';

  get(..._args: unknown[]): Promise<KubeObject> {
    throw new Error('unused: get');
  }
  list(..._args: unknown[]): Promise<ObjectList> {
    throw new Error('unused: list');
  }
  create(..._args: unknown[]): Promise<KubeObject> {
    throw new Error('unused: create');
  }
  update(..._args: unknown[]): Promise<KubeObject> {
    throw new Error('unused: update');
  }
  patch(..._args: unknown[]): Promise<KubeObject> {
    throw new Error('unused: patch');
  }
  delete(..._args: unknown[]): Promise<unknown> {
    throw new Error('unused: delete');
  }
  watch(..._args: unknown[]): AsyncIterable<WatchEvent> {
    throw new Error('unused: watch');
  }
  close(): void {}
}
