// Go's time.Duration text form ("20s", "1m30s", "1.5h", "300ms"), as Kubernetes configuration files
// and duration flags write them (metav1.Duration). Parsed into milliseconds.

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/**
 * Milliseconds of a Go duration string, or undefined when it is not one. A sign is accepted as
 * in Go ("-1s"); callers reject negative values where they make no sense. "0" needs no unit.
 */
export function parseGoDuration(text: string): number | undefined {
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = PART.exec(rest);
    if (m === null) return undefined;
    const [whole, num, unit] = m;
    const factor = unit === undefined ? undefined : UNIT_MS[unit];
    if (num === undefined || factor === undefined) return undefined;
    total += Number(num) * factor;
    rest = rest.slice(whole.length);
  }
  return sign * total;
}
