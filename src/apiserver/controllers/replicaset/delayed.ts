// "Add this key again in N ms" for the controllers' work queues (upstream's AddAfter): a sleep
// on the injected clock that ends with the controller's signal.
import type { Clock } from '../../../base/clock.js';

export function addAfter(clock: Clock, signal: AbortSignal, ms: number, add: () => void): void {
  if (signal.aborted) return;
  clock.sleep(Math.max(0, ms), signal).then(add, () => undefined);
}
