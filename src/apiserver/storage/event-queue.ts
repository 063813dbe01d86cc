// A per-watcher queue between a producer that must never wait (a store committing writes, a gRPC
// stream) and one consumer that pulls at its own pace. Bounded: a producer that outruns the
// consumer past `limit` ends the queue with an error instead of growing memory without end.

export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  private wake: (() => void) | undefined;
  private ended = false;
  private error: unknown;

  constructor(
    private readonly limit: number,
    /** The error the consumer gets when the queue overflows. */
    private readonly overflowError: () => unknown,
  ) {}

  /** Items waiting for the consumer. */
  get size(): number {
    return this.items.length - this.head;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Adds an item; false when the queue has ended (the item is dropped). Never waits. */
  push(item: T): boolean {
    if (this.ended) return false;
    if (this.size >= this.limit) {
      this.fail(this.overflowError());
      return false;
    }
    this.items.push(item);
    this.notify();
    return true;
  }

  /** Ends the queue: the consumer gets what is buffered, then the end. Idempotent. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.notify();
  }

  /**
   * Ends the queue with an error, dropping what is buffered (a consumer this far behind resumes
   * from the last item it saw). A queue that already ended keeps its first outcome.
   */
  fail(err: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.error = err;
    this.items = [];
    this.head = 0;
    this.notify();
  }

  /** The next item; undefined once the queue ended and is drained; throws the failure error. */
  async next(): Promise<T | undefined> {
    for (;;) {
      if (this.error !== undefined) throw this.error;
      if (this.head < this.items.length) {
        const item = this.items[this.head] as T;
        this.head++;
        // Compact now and then so a long-lived queue does not keep consumed items alive.
        if (this.head >= 1024 && this.head * 2 >= this.items.length) {
          this.items = this.items.slice(this.head);
          this.head = 0;
        }
        return item;
      }
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
