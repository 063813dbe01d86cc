// Stale UDP conntrack entries after a sync, as upstream's conntrack cleanup (pkg/proxy/conntrack):
// UDP has no connection end, so a flow NATed to an endpoint that went away keeps going there
// until its entry is deleted. Planned purely from the tracker's changes, then run through Exec.
//  - an endpoint that was serving and is gone (or no longer serving): delete the flows from each
//    service IP (cluster, external, LB) NATed to it, and from the nodePort;
//  - a service port that went from no serving endpoint to some: delete the flows to its IPs and
//    nodePort (they hold stale REJECT/blackhole state);
//  - a UDP service port that was deleted: delete the flows to its cluster IP.
import type { Exec } from '../base/exec.js';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import type { ServicePort } from './types.js';
import type { PortChange } from './tracker/types.js';

export type ConntrackDeletion =
  | { kind: 'dst'; ip: string }
  | { kind: 'dport'; port: number }
  | { kind: 'nat'; origDst: string; dstNat: string }
  | { kind: 'dportNat'; port: number; dstNat: string };

function serviceIPs(svc: ServicePort): string[] {
  return [...(svc.clusterIP === undefined ? [] : [svc.clusterIP]), ...svc.externalIPs, ...svc.loadBalancerIPs];
}

function deletionKey(d: ConntrackDeletion): string {
  return JSON.stringify(d);
}

/** The deletions for a set of applied changes; UDP service ports only; deduplicated, in a stable order. */
export function staleConntrackDeletions(changes: ReadonlyMap<string, PortChange>): ConntrackDeletion[] {
  const out = new Map<string, ConntrackDeletion>();
  const add = (d: ConntrackDeletion): void => {
    out.set(deletionKey(d), d);
  };
  for (const { previous, current } of changes.values()) {
    const svcInfo = current?.svc ?? previous?.svc;
    if (svcInfo === undefined || svcInfo.key.protocol !== 'UDP') continue;
    if (current === undefined) {
      if (previous?.svc.clusterIP !== undefined) add({ kind: 'dst', ip: previous.svc.clusterIP });
      continue;
    }
    const svc = current.svc;
    const before = previous?.endpoints ?? [];
    for (const ep of before) {
      if (!ep.serving) continue; // no traffic went to it
      const still = current.endpoints.some((n) => n.ip === ep.ip && n.port === ep.port && n.serving === ep.serving);
      if (still) continue;
      if (svc.nodePort !== 0) add({ kind: 'dportNat', port: svc.nodePort, dstNat: ep.ip });
      for (const ip of serviceIPs(svc)) add({ kind: 'nat', origDst: ip, dstNat: ep.ip });
    }
    const servingBefore = before.some((ep) => ep.serving);
    const servingNow = current.endpoints.some((ep) => ep.serving);
    if (servingNow && !servingBefore) {
      for (const ip of serviceIPs(svc)) add({ kind: 'dst', ip });
      if (svc.nodePort !== 0) add({ kind: 'dport', port: svc.nodePort });
    }
  }
  return [...out.values()];
}

/** conntrack(8) arguments for one deletion (conntrack-tools, as upstream's exec-based cleanup). */
export function conntrackArgs(d: ConntrackDeletion): string[] {
  switch (d.kind) {
    case 'dst':
      return ['-D', '--orig-dst', d.ip, '-p', 'udp'];
    case 'dport':
      return ['-D', '-p', 'udp', '--dport', String(d.port)];
    case 'nat':
      return ['-D', '--orig-dst', d.origDst, '--dst-nat', d.dstNat, '-p', 'udp'];
    case 'dportNat':
      return ['-D', '-p', 'udp', '--dport', String(d.port), '--dst-nat', d.dstNat];
  }
}

/**
 * Runs the deletions one by one. conntrack exits 1 with "0 flow entries have been deleted" when
 * nothing matched: that is success. Failures are logged, not thrown: rules are already in place,
 * and a stale flow is no reason to redo the sync.
 */
export async function deleteStaleConntrack(deps: { exec: Exec; log: Logger }, deletions: readonly ConntrackDeletion[], signal?: AbortSignal): Promise<number> {
  let failed = 0;
  for (const d of deletions) {
    const args = conntrackArgs(d);
    try {
      const res = await deps.exec.run('conntrack', args, { ...(signal === undefined ? {} : { signal }), timeoutMs: 10_000 });
      if (res.code !== 0 && !res.stderr.includes('0 flow entries have been deleted')) {
        failed++;
        deps.log.warn('conntrack cleanup failed', { args: args.join(' '), code: res.code, stderr: res.stderr.trim() });
      }
    } catch (err) {
      failed++;
      deps.log.warn('conntrack cleanup failed', { args: args.join(' '), error: errorMessage(err) });
    }
  }
  return failed;
}
