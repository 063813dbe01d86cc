// Long-lived things are disposable; a store disposes what it holds in reverse order.

export interface Disposable {
  dispose(): void | Promise<void>;
}

export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) {
      void item.dispose();
      return item;
    }
    this.items.push(item);
    return item;
  }

  /** Disposes everything, last added first; errors are collected and rethrown together. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const item of this.items.reverse()) {
      try {
        await item.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    this.items.length = 0;
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposals failed');
  }
}

export function toDisposable(fn: () => void | Promise<void>): Disposable {
  return { dispose: fn };
}
