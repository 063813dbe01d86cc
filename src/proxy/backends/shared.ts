// Small helpers both rule backends use.
import { serviceKeyString, type PlannedService } from '../types.js';

/** Whether dotted-quad `ip` lies in `cidr` ("a.b.c.d/len"); false for anything not IPv4 or malformed. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, lenText] = cidr.split('/');
  const len = lenText === undefined ? 32 : Number(lenText);
  const a = ipv4ToInt(base ?? '');
  const b = ipv4ToInt(ip);
  if (a === undefined || b === undefined || !Number.isInteger(len) || len < 0 || len > 32) return false;
  if (len === 0) return true;
  const mask = (0xffffffff << (32 - len)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

// The planner reuses PlannedService objects of unchanged services: their keys are computed once.
const keys = new WeakMap<PlannedService, string>();

/** serviceKeyString of a planned service, cached per object. */
export function plannedKey(ps: PlannedService): string {
  let key = keys.get(ps);
  if (key === undefined) {
    key = serviceKeyString(ps.svc.key);
    keys.set(ps, key);
  }
  return key;
}
