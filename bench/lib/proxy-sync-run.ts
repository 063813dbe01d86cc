// One bench/proxy-sync measurement: a rule backend in a fresh test network namespace, a full sync of
// N services, then one-service-change syncs; render and apply timed separately, rules counted after.
// Every kernel write goes through an Exec that nsenters the namespace and obeys the run's deadline.
import { performance } from 'node:perf_hooks';
import { systemExec, type Exec } from '../../src/base/exec.js';
import { errorMessage } from '../../src/base/errors.js';
import type { RuleBackend } from '../../src/proxy/types.js';
import { createNetns, nsenterCommand } from '../../test/harness/netns.js';
import { daemonEnv } from '../../test/harness/process.js';
import { buildBenchState } from './proxy-plans.js';
import { percentile } from './stats.js';

export type Mode = 'iptables' | 'nftables';
export type BackendFactory = (mode: Mode, exec: Exec) => RuleBackend;

export interface SyncRunOptions {
  mode: Mode;
  services: number;
  endpointsPerService: number;
  changes: number;
  /** The whole run (full sync + changes) is abandoned after this: reported as skipped. */
  deadlineMs: number;
}

export type SyncRunResult =
  | {
      ok: true;
      mode: Mode;
      services: number;
      endpoints: number;
      fullPlanMs: number;
      fullRenderMs: number;
      fullApplyMs: number;
      fullBytes: number;
      changeP50Ms: number;
      changeP99Ms: number;
      changeMaxMs: number;
      /** Medians of a change sync's parts. */
      changePartsP50Ms: { plan: number; render: number; apply: number };
      /** Median size of a change transaction. */
      changeBytes: number;
      rules: number;
    }
  | { ok: false; mode: Mode; services: number; reason: string };

/** Lines of the rules this mode programmed: nat table for iptables, the whole ruleset for nftables. */
async function countRules(exec: Exec, mode: Mode): Promise<number> {
  const res = mode === 'iptables'
    ? await exec.run('iptables-save', ['-t', 'nat'], { timeoutMs: 600_000 })
    : await exec.run('nft', ['list', 'ruleset'], { timeoutMs: 600_000 });
  if (res.code !== 0) throw new Error(`${mode === 'iptables' ? 'iptables-save' : 'nft list ruleset'}: ${res.stderr.trim()}`);
  return res.stdout.split('\n').filter((l) => l.trim() !== '').length;
}

export async function runSyncBench(factory: BackendFactory, opts: SyncRunOptions): Promise<SyncRunResult> {
  const netns = await createNetns();
  const deadline = AbortSignal.timeout(opts.deadlineMs);
  const exec: Exec = {
    run: (file, args, o) => {
      const cmd = nsenterCommand(netns.name, file, args);
      const signal = o?.signal === undefined ? deadline : AbortSignal.any([o.signal, deadline]);
      return systemExec.run(cmd.file, cmd.args, { ...o, env: o?.env ?? daemonEnv(), signal });
    },
  };
  try {
    // A sync as the proxier does it: plan (buildPlan over the full state), render, one apply.
    const state = buildBenchState(opts.services, opts.endpointsPerService);
    const backend = factory(opts.mode, exec);
    const t0 = performance.now();
    const full = state.plan();
    const t1 = performance.now();
    const text = backend.render(full);
    const t2 = performance.now();
    await backend.apply(text, deadline);
    const t3 = performance.now();
    const endpoints = state.endpointCount;
    const changes: number[] = [];
    const parts = { plan: [] as number[], render: [] as number[], apply: [] as number[] };
    const sizes: number[] = [];
    for (let n = 0; n < opts.changes; n++) {
      const key = state.change(n);
      const s0 = performance.now();
      const plan = state.plan(new Set([key]));
      const s1 = performance.now();
      const changeText = backend.render(plan);
      const s2 = performance.now();
      await backend.apply(changeText, deadline);
      const s3 = performance.now();
      changes.push(s3 - s0);
      parts.plan.push(s1 - s0);
      parts.render.push(s2 - s1);
      parts.apply.push(s3 - s2);
      sizes.push(changeText.length);
    }
    if (!(await backend.canaryPresent(deadline))) throw new Error('the canary is missing after the syncs');
    const rules = await countRules(exec, opts.mode);
    return {
      ok: true,
      mode: opts.mode,
      services: opts.services,
      endpoints,
      fullPlanMs: t1 - t0,
      fullRenderMs: t2 - t1,
      fullApplyMs: t3 - t2,
      fullBytes: text.length,
      changeP50Ms: percentile(changes, 50),
      changeP99Ms: percentile(changes, 99),
      changeMaxMs: Math.max(...changes),
      changePartsP50Ms: { plan: percentile(parts.plan, 50), render: percentile(parts.render, 50), apply: percentile(parts.apply, 50) },
      changeBytes: percentile(sizes, 50),
      rules,
    };
  } catch (err) {
    const reason = deadline.aborted ? `skipped: over ${Math.round(opts.deadlineMs / 1000)} s` : `failed: ${errorMessage(err).slice(0, 300)}`;
    return { ok: false, mode: opts.mode, services: opts.services, reason };
  } finally {
    await netns.dispose();
  }
}
