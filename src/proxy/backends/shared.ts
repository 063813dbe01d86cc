// Small helpers both rule backends use.
import { serviceKeyString, type PlannedService } from '../types.js';

export { cidrContains } from '../../base/ipv4.js';

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
