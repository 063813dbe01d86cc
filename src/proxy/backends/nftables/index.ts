// The nftables RuleBackend (`--proxy-mode nftables`): renders with renderNft against the state the
// last successful transaction left, applies with one `nft -f -`, and keeps the new state only when
// nft accepted it. Failures escalate: a full sync from the known state, then a full sync that lists
// the table for leftovers, then a full sync that recreates the table.
import { runChecked, type Exec } from '../../../base/exec.js';
import { ErrorCode, NodeletError, errorMessage } from '../../../base/errors.js';
import type { Logger } from '../../../base/log.js';
import type { ProxyPlan, RuleBackend } from '../../types.js';
import { parseListing, withLeftovers } from './leftovers.js';
import { CANARY_CHAIN, FAMILY, TABLE, TABLE_REF } from './names.js';
import { renderNft, type NftState, type RenderResult } from './render.js';

export { renderNft, type NftState, type RenderResult } from './render.js';
export { TABLE, TABLE_REF } from './names.js';

export interface NftablesBackendDeps {
  exec: Exec;
  log: Logger;
}

export function createNftablesBackend(deps: NftablesBackendDeps): RuleBackend {
  const { exec, log } = deps;
  /** What the table holds after the last successful transaction; undefined = unknown. */
  let committed: NftState | undefined;
  /** Failed applies in a row (0: the next render may be partial). */
  let failures = 0;
  let pending: { text: string; result: RenderResult; unknown: boolean } | undefined;

  const nft = async (args: string[], signal?: AbortSignal, stdin?: string): Promise<string> =>
    (await runChecked(exec, 'nft', args, { signal, stdin })).stdout;

  const listJson = async (what: 'chains' | 'sets', signal?: AbortSignal): Promise<unknown> => {
    const res = await exec.run('nft', ['-j', 'list', what, FAMILY], { signal });
    if (res.code !== 0) return {};
    try {
      return JSON.parse(res.stdout) as unknown;
    } catch {
      return {};
    }
  };

  return {
    mode: 'nftables',

    render(plan: ProxyPlan): string {
      const full = failures > 0 || committed === undefined;
      const previous = failures >= 2 ? undefined : committed;
      const reset = failures >= 3;
      const result = renderNft(full ? { ...plan, changed: undefined } : plan, previous, { reset });
      pending = { text: result.text, result, unknown: previous === undefined && !reset };
      return result.text;
    },

    async apply(text: string, signal?: AbortSignal): Promise<void> {
      const p = pending?.text === text ? pending : undefined;
      pending = undefined;
      if (p === undefined) log.warn('nftables: applying text that render() did not produce; the next sync is full');
      let body = text;
      let result = p?.result;
      try {
        if (p?.unknown === true && result !== undefined) {
          const [chains, sets] = await Promise.all([listJson('chains', signal), listJson('sets', signal)]);
          result = withLeftovers(result, { chains: parseListing(chains, 'chain'), sets: parseListing(sets, 'set') });
          body = result.text;
        }
        if (body !== '') await nft(['-f', '-'], signal, body);
      } catch (err) {
        failures++;
        if (failures >= 2) committed = undefined;
        throw err instanceof NodeletError ? err : new NodeletError(ErrorCode.ExecFailed, `nft -f: ${errorMessage(err)}`, { cause: err });
      }
      failures = 0;
      committed = result?.next;
    },

    async cleanup(signal?: AbortSignal): Promise<void> {
      committed = undefined;
      const res = await exec.run('nft', ['delete', 'table', FAMILY, TABLE], { signal });
      if (res.code === 0) return;
      const tables = await nft(['list', 'tables', FAMILY], signal);
      if (tables.split('\n').some((l) => l.trim() === `table ${TABLE_REF}`)) {
        throw new NodeletError(ErrorCode.ExecFailed, `nft delete table ${TABLE_REF}: ${res.stderr.trim()}`);
      }
    },

    async canaryPresent(signal?: AbortSignal): Promise<boolean> {
      const res = await exec.run('nft', ['list', 'chain', FAMILY, TABLE, CANARY_CHAIN], { signal });
      const present = res.code === 0 && res.stdout.includes('nodelet-canary');
      if (!present) committed = undefined;
      return present;
    },
  };
}
