// API timestamps: metav1.Time serializes as RFC 3339 with second precision.

/** RFC 3339 (seconds, UTC) for CRI nanoseconds; undefined for 0 (never). */
export function nanosToRfc3339(nanos: bigint): string | undefined {
  if (nanos <= 0n) return undefined;
  return msToRfc3339(Number(nanos / 1_000_000n));
}

export function msToRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
