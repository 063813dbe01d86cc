// The grpc-timeout request header (grpc/doc/PROTOCOL-HTTP2.md): at most 8 ASCII digits and a
// unit (H, M, S, m, u, n). We pick the finest of m, S, M, H that fits, rounding up so the server
// never gives up before we do; our own timer enforces the exact deadline.

const MAX_VALUE = 99_999_999;
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['m', 1],
  ['S', 1_000],
  ['M', 60_000],
  ['H', 3_600_000],
];

/** `timeoutMs` (may be fractional; <= 0 is "already due") as a grpc-timeout header value. */
export function encodeGrpcTimeout(timeoutMs: number): string {
  const ms = timeoutMs > 0 ? timeoutMs : 0;
  for (const [unit, factor] of UNITS) {
    const amount = Math.ceil(ms / factor);
    if (amount <= MAX_VALUE) return `${amount}${unit}`;
  }
  return `${MAX_VALUE}H`;
}
