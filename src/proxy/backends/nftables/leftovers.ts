// When the table's content is unknown (first sync of this process, canary gone), the full sync is
// rendered without deletions; these helpers list what the table really holds (`nft -j list chains
// ip`, `nft -j list sets ip`) and extend the transaction to remove what no service owns any more.
import { isJsonObject } from '../../../api/object.js';
import { TABLE, TABLE_REF, isAffinitySetName, isServiceChainName } from './names.js';
import type { RenderResult } from './render.js';

export interface TableListing {
  chains: string[];
  sets: string[];
}

/** Names of the chains or sets (`kind`) of our table in `nft -j list ...` output; [] for anything unexpected. */
export function parseListing(json: unknown, kind: 'chain' | 'set'): string[] {
  if (!isJsonObject(json) || !Array.isArray(json.nftables)) return [];
  const names: string[] = [];
  for (const item of json.nftables) {
    if (!isJsonObject(item)) continue;
    const obj = item[kind];
    if (!isJsonObject(obj) || obj.family !== 'ip' || obj.table !== TABLE || typeof obj.name !== 'string') continue;
    names.push(obj.name);
  }
  return names;
}

/**
 * Leftover service chains were emptied by the full sync's `flush table`: they join `stale` and go
 * with the next sync. Leftover affinity sets are deleted now (their rules are gone in this transaction).
 */
export function withLeftovers(result: RenderResult, listing: TableListing): RenderResult {
  const activeChains = new Set<string>();
  const activeSets = new Set<string>();
  for (const st of result.next.services.values()) {
    for (const c of st.chains) activeChains.add(c);
    for (const s of st.affinitySets.keys()) activeSets.add(s);
  }
  const stale = new Set(result.next.stale);
  for (const c of listing.chains) if (isServiceChainName(c) && !activeChains.has(c)) stale.add(c);
  const extra = listing.sets.filter((s) => isAffinitySetName(s) && !activeSets.has(s)).map((s) => `delete set ${TABLE_REF} ${s}\n`);
  return { ...result, text: result.text + extra.join(''), next: { ...result.next, stale } };
}
