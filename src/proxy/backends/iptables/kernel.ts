// The effectful side of the iptables backend: running iptables-restore, ensuring the jumps from
// the built-in chains, finding chains left by an earlier run, and removing everything (--cleanup).
import { ErrorCode, NodeletError } from '../../../base/errors.js';
import { runChecked, type Exec } from '../../../base/exec.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  isOwnedChain,
  isServiceChainName,
} from './names.js';

/** Wait at most this many seconds for the xtables lock (upstream waits too). */
export const WAIT_ARGS = ['-w', '5'] as const;

interface Jump {
  table: 'filter' | 'nat';
  from: string;
  args: string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];
const jump = (table: Jump['table'], from: string, to: string, comment: string, extra: string[] = []): Jump => ({
  table,
  from,
  args: [...extra, '-m', 'comment', '--comment', comment, '-j', to],
});

/** Upstream's iptablesJumpChains, in its order (each is inserted at the top of its chain). */
export const JUMPS: readonly Jump[] = [
  jump('filter', 'INPUT', KUBE_EXTERNAL_SERVICES, 'kubernetes externally-visible service portals', NEW),
  jump('filter', 'FORWARD', KUBE_EXTERNAL_SERVICES, 'kubernetes externally-visible service portals', NEW),
  jump('filter', 'INPUT', KUBE_NODEPORTS, 'kubernetes health check service ports'),
  jump('filter', 'FORWARD', KUBE_SERVICES, 'kubernetes service portals', NEW),
  jump('filter', 'OUTPUT', KUBE_SERVICES, 'kubernetes service portals', NEW),
  jump('filter', 'FORWARD', KUBE_FORWARD, 'kubernetes forwarding rules'),
  jump('filter', 'INPUT', KUBE_PROXY_FIREWALL, 'kubernetes load balancer firewall', NEW),
  jump('filter', 'OUTPUT', KUBE_PROXY_FIREWALL, 'kubernetes load balancer firewall', NEW),
  jump('filter', 'FORWARD', KUBE_PROXY_FIREWALL, 'kubernetes load balancer firewall', NEW),
  jump('nat', 'OUTPUT', KUBE_SERVICES, 'kubernetes service portals'),
  jump('nat', 'PREROUTING', KUBE_SERVICES, 'kubernetes service portals'),
  jump('nat', 'POSTROUTING', KUBE_POSTROUTING, 'kubernetes postrouting rules'),
];

/** One iptables-restore --noflush with the text on stdin; on a parse error the failing line is quoted. */
export async function restore(exec: Exec, text: string, signal?: AbortSignal): Promise<void> {
  const res = await exec.run('iptables-restore', [...WAIT_ARGS, '--noflush'], { stdin: text, signal });
  if (res.code === 0) return;
  const stderr = res.stderr.trim();
  const m = /line (\d+) failed/.exec(stderr);
  const lineNo = m?.[1] === undefined ? undefined : Number(m[1]);
  const line = lineNo === undefined ? undefined : text.split('\n')[lineNo - 1];
  const why = res.code === null ? `killed by ${res.signal ?? 'a signal'}` : `exit code ${res.code}`;
  throw new NodeletError(ErrorCode.ExecFailed, `iptables-restore: ${why}: ${stderr}${line === undefined ? '' : ` (line: ${line})`}`);
}

/** -C each jump and -I the missing ones (upstream's EnsureRule with Prepend). */
export async function ensureJumps(exec: Exec, signal?: AbortSignal): Promise<number> {
  let inserted = 0;
  for (const j of JUMPS) {
    const check = await exec.run('iptables', [...WAIT_ARGS, '-t', j.table, '-C', j.from, ...j.args], { signal });
    if (check.code === 0) continue;
    await runChecked(exec, 'iptables', [...WAIT_ARGS, '-t', j.table, '-I', j.from, ...j.args], { signal });
    inserted++;
  }
  return inserted;
}

/** Chain names declared in one table of iptables-save output. */
export function chainsInSave(save: string, table: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) current = line.slice(1).trim();
    else if (current === table && line.startsWith(':')) out.push(line.slice(1).split(' ')[0] ?? '');
  }
  return out;
}

/** Service chains in the nat table that `keep` does not have (left from before a restart or failure). */
export async function staleServiceChains(exec: Exec, keep: ReadonlySet<string>, signal?: AbortSignal): Promise<string[]> {
  const res = await runChecked(exec, 'iptables-save', ['-t', 'nat'], { signal });
  return chainsInSave(res.stdout, 'nat').filter((c) => isServiceChainName(c) && !keep.has(c));
}

/**
 * The restore input that removes every chain we own from iptables-save output, and every rule in
 * other chains (PREROUTING, INPUT, ...) that jumps to one of them. Pure; undefined when none.
 */
export function cleanupText(save: string): string | undefined {
  const tables = new Map<string, { chains: string[]; rules: string[] }>();
  let current: { chains: string[]; rules: string[] } | undefined;
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      current = name === 'filter' || name === 'nat' || name === 'mangle' ? { chains: [], rules: [] } : undefined;
      if (current !== undefined) tables.set(name, current);
    } else if (current !== undefined && line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0] ?? '';
      if (isOwnedChain(chain)) current.chains.push(chain);
    } else if (current !== undefined && line.startsWith('-A ')) {
      const [, chain] = line.split(' ', 3);
      const target = / -[jg] (\S+)/.exec(line)?.[1];
      if (chain !== undefined && !isOwnedChain(chain) && target !== undefined && isOwnedChain(target)) current.rules.push(`-D ${line.slice(3)}`);
    }
  }
  const parts: string[] = [];
  for (const [name, t] of tables) {
    if (t.chains.length === 0 && t.rules.length === 0) continue;
    parts.push(`*${name}`);
    if (t.chains.length > 1000) parts.push('-Z'); // see ZERO_COUNTERS_CHAIN_THRESHOLD
    parts.push(...t.rules);
    for (const c of t.chains) parts.push(`:${c} - [0:0]`);
    for (const c of t.chains) parts.push(`-X ${c}`);
    parts.push('COMMIT');
  }
  return parts.length === 0 ? undefined : `${parts.join('\n')}\n`;
}

/** Inserts deletion of `chains` at the end of the text's nat section. */
export function withChainDeletes(text: string, chains: readonly string[]): string {
  if (chains.length === 0) return text;
  const nat = text.indexOf('*nat\n');
  const commit = nat < 0 ? -1 : text.indexOf('\nCOMMIT\n', nat);
  if (commit < 0) return text;
  const extra = chains.map((c) => `\n:${c} - [0:0]`).join('') + chains.map((c) => `\n-X ${c}`).join('');
  return text.slice(0, commit) + extra + text.slice(commit);
}
