// The controllers `nodelet apiserver` can run and the `--controllers` syntax of upstream's
// kube-controller-manager: comma-separated names, "*" for all, "-name" to leave one out. Kept apart
// from manager.ts so that parsing flags does not load the controllers.
import { ErrorCode, NodeletError } from '../../base/errors.js';

export const CONTROLLER_NAMES = [
  'scheduler',
  'endpointslice',
  'endpoints',
  'nodeipam',
  'nodelifecycle',
  'replicaset',
  'deployment',
  'serviceaccount',
] as const;

export type ControllerName = (typeof CONTROLLER_NAMES)[number];

function isControllerName(name: string): name is ControllerName {
  return (CONTROLLER_NAMES as readonly string[]).includes(name);
}

/** The controllers a `--controllers` value turns on ("" turns all off); unknown names throw InvalidConfig. */
export function selectControllers(spec: string): ControllerName[] {
  const items = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const item of items) {
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (name !== '*' && !isControllerName(name)) {
      throw new NodeletError(ErrorCode.InvalidConfig, `--controllers: unknown controller "${name}" (known: ${CONTROLLER_NAMES.join(', ')})`);
    }
  }
  const on = new Set<ControllerName>(items.includes('*') ? CONTROLLER_NAMES : []);
  for (const item of items) {
    if (item === '*') continue;
    const name = item.startsWith('-') ? item.slice(1) : item;
    if (!isControllerName(name)) continue;
    if (item.startsWith('-')) on.delete(name);
    else on.add(name);
  }
  return CONTROLLER_NAMES.filter((n) => on.has(n));
}
