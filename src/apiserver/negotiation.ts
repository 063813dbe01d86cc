// Content negotiation: this server speaks JSON only. A client that lists protobuf first with a
// JSON alternative (client-go's default for built-in types) gets JSON; one that accepts only
// protobuf gets 406. `as=Table` (kubectl get) and `as=PartialObjectMetadata[List]` pick
// another representation of the same JSON response. Aggregated discovery (as=APIGroupDiscoveryList)
// is not served: a client offering a plain JSON alternative falls back to legacy discovery.
import { notAcceptable } from './status.js';

export type Representation = 'object' | 'table' | 'metadata';

export const SERVED_MEDIA_TYPES = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io'] as const;

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
  index: number;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [];
  const out: MediaRange[] = [];
  header.split(',').forEach((item, index) => {
    const [typePart, ...paramParts] = item.split(';');
    const type = (typePart ?? '').trim().toLowerCase();
    if (type === '') return;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      if (key === 'q') q = Number.isFinite(Number(value)) ? Number(value) : 0;
      else params.set(key, value);
    }
    if (q > 0) out.push({ type, params, q, index });
  });
  // Highest q first; ties keep the client's order.
  return out.sort((a, b) => b.q - a.q || a.index - b.index);
}

export interface NegotiateOptions {
  /** The endpoint can answer as a meta.k8s.io Table (get and list of a resource). */
  table: boolean;
  /** The endpoint can answer as PartialObjectMetadata (get, list and watch of a resource). */
  metadata: boolean;
}

/** The representation to answer with; throws 406 NotAcceptable when none of the client's fits. */
export function negotiate(accept: string | undefined, opts: NegotiateOptions): Representation {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 'object';
  for (const r of ranges) {
    if (r.type !== 'application/json' && r.type !== '*/*' && r.type !== 'application/*') continue;
    const as = r.params.get('as');
    if (as === undefined) return 'object';
    const group = r.params.get('g');
    const version = r.params.get('v');
    if (group !== 'meta.k8s.io' || (version !== 'v1' && version !== 'v1beta1')) continue;
    if (as === 'Table' && opts.table) return 'table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && opts.metadata) return 'metadata';
  }
  throw notAcceptable(SERVED_MEDIA_TYPES);
}
