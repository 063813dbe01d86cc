// The iptables RuleBackend (`--proxy-mode iptables`, the default): upstream kube-proxy's chains,
// written with one iptables-restore --noflush per sync. render() is pure over (plan, what the last
// successful apply wrote); apply() commits that state only when the kernel accepted the text, so a
// failed apply makes the next render full.
import { runChecked, type Exec } from '../../../base/exec.js';
import type { Logger } from '../../../base/log.js';
import type { ProxyPlan, RuleBackend } from '../../types.js';
import { KUBE_PROXY_CANARY } from './names.js';
import { renderIptables, unknownWrittenState, type RenderResult, type WrittenState } from './render.js';
import { WAIT_ARGS, cleanupText, ensureJumps, restore, staleServiceChains, withChainDeletes } from './kernel.js';


export { renderIptables, unknownWrittenState, type RenderResult, type WrittenState } from './render.js';

export interface IptablesBackendDeps {
  exec: Exec;
  log: Logger;
}

export function createIptablesBackend(deps: IptablesBackendDeps): RuleBackend {
  const { exec, log } = deps;
  let state: WrittenState = unknownWrittenState();
  let pending: RenderResult | undefined;

  return {
    mode: 'iptables',

    render(plan: ProxyPlan): string {
      pending = renderIptables(plan, state);
      return pending.text;
    },

    async apply(text: string, signal?: AbortSignal): Promise<void> {
      // Text that render() did not just produce is applied as is, but we then no longer know what
      // the kernel holds: the next render is full.
      const p = pending !== undefined && pending.text === text ? pending : undefined;
      pending = undefined;
      const previous = state;
      state = unknownWrittenState();
      let input = text;
      if (p?.full === true && !previous.valid) {
        // First sync after a start or a failure: chains of services that vanished meanwhile are
        // only known to the kernel. Upstream asks iptables-save likewise.
        const keep = new Set<string>();
        for (const w of p.next.services.values()) for (const c of w.chains) keep.add(c);
        const stale = await staleServiceChains(exec, keep, signal);
        if (stale.length > 0) log.info('iptables: deleting stale service chains', { count: stale.length });
        input = withChainDeletes(text, stale);
      }
      await restore(exec, input, signal);
      if (p === undefined || p.full) {
        const inserted = await ensureJumps(exec, signal);
        if (inserted > 0) log.info('iptables: inserted jump rules into built-in chains', { count: inserted });
      }
      if (p !== undefined) state = p.next;
      log.debug('iptables: applied', { full: p?.full ?? true, services: p?.next.services.size, written: p?.servicesWritten, bytes: text.length });
    },

    async cleanup(signal?: AbortSignal): Promise<void> {
      pending = undefined;
      state = unknownWrittenState();
      const save = await runChecked(exec, 'iptables-save', [], { signal });
      const text = cleanupText(save.stdout);
      if (text === undefined) return;
      await restore(exec, text, signal);
      log.info('iptables: removed all proxy rules and chains');
    },

    async canaryPresent(signal?: AbortSignal): Promise<boolean> {
      const res = await exec.run('iptables', [...WAIT_ARGS, '-t', 'mangle', '-L', KUBE_PROXY_CANARY, '-n'], { signal });
      return res.code === 0;
    },
  };
}
