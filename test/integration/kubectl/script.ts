// The kubectl script of the apiserver issue, as one ordered sequence of tests over one running
// `nodelet apiserver` (each step works on what the previous ones left). Every kubectl command must
// exit 0 (except the ones that check a failure), and its output is checked for what a user reads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiserver, type Backend, type RunningApiserver } from '../../harness/apiserver.js';
import { kubectlFor } from './kubectl-runner.js';
import type { Step, StepContext } from './steps.js';
import { applySteps } from './steps-apply.js';
import { editSteps } from './steps-edit.js';
import { deleteSteps } from './steps-delete.js';

const STEPS: readonly Step[] = [...applySteps, ...editSteps, ...deleteSteps];

/** Registers the script as a describe block that starts the apiserver on `backend` (skipped when `skip` says why). */
export function kubectlScript(backend: Backend, skip: string | undefined): void {
  describe(`kubectl against nodelet apiserver on ${backend}`, { skip: skip ?? false }, () => {
    let server: RunningApiserver | undefined;
    let ctx: StepContext | undefined;

    before(
      async () => {
        server = await startApiserver(backend);
        ctx = { server, k: kubectlFor(server.kubeconfig, server.tmp.join('kube-cache')) };
      },
      { timeout: 90_000 },
    );
    after(() => server?.stop(), { timeout: 30_000 });

    for (const step of STEPS) {
      test(step.title, { timeout: step.timeoutMs ?? 30_000 }, () => {
        assert.ok(ctx !== undefined, 'the apiserver started');
        return step.run(ctx);
      });
    }
  });
}
