// Exponential back-off with a cap, as kubelet and client-go use it.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor?: number;
}

/** Delay for the given attempt (0-based): initial * factor^attempt, capped at max. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const factor = opts.factor ?? 2;
  const delay = opts.initialMs * Math.pow(factor, Math.max(0, attempt));
  return Math.min(delay, opts.maxMs);
}
