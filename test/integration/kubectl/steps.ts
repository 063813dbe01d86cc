// What the steps of the kubectl script share: the running apiserver, kubectl against it, the
// manifests, and small assertions on kubectl's tables and objects.
import assert from 'node:assert/strict';
import path from 'node:path';
import { PROJECT_ROOT } from '../../harness/index.js';
import type { RunningApiserver } from '../../harness/apiserver.js';
import type { Kubectl, Table } from './kubectl-runner.js';
import { field, list } from './objects.js';

export interface StepContext {
  readonly server: RunningApiserver;
  readonly k: Kubectl;
}

export interface Step {
  readonly title: string;
  readonly timeoutMs?: number;
  run(ctx: StepContext): Promise<void>;
}

const MANIFESTS = path.join(PROJECT_ROOT, 'test/integration/kubectl/manifests');

/** A file in manifests/ (the YAML stays in the source tree; tests run from dist/). */
export const manifest = (name: string): string => path.join(MANIFESTS, name);

/** Every kind the script applies, for `kubectl get KINDS -o json`. */
export const KINDS = 'pods,services,configmaps,secrets,deployments';

/** kubectl's AGE column: 5s, 2m3s, 4h, 3d. */
export const AGE = /^\d+[smhd]/;

export const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The row whose NAME is `name`; fails the test when there is none. */
export function row(table: Table, name: string): Record<string, string> {
  const found = table.rows.find((r) => r['NAME'] === name);
  assert.ok(found !== undefined, `a row named ${name} in:\n${JSON.stringify(table.rows)}`);
  return found;
}

/** A container of a Deployment's pod template, by name. */
export function templateContainer(deployment: unknown, name: string): unknown {
  const found = list(deployment, 'spec.template.spec.containers').find((c) => field(c, 'name') === name);
  assert.ok(found !== undefined, `container ${name} in the pod template`);
  return found;
}

/** The NotFound failure kubectl prints for a missing object. */
export async function assertNotFound(k: Kubectl, resource: string, name: string): Promise<void> {
  const r = await k.fails('get', resource, name);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Error from server \\(NotFound\\): ${resource}s? "${name}" not found`));
}
