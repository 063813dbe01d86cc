// The apiserver issue's kubectl test script: the real `nodelet apiserver` CLI as a child process,
// driven by the machine's kubectl through the admin kubeconfig it writes; once on the embedded
// SQLite store, once on an etcd the harness starts. See script.ts for the steps.
import { spawnSync } from 'node:child_process';
import { kubectlMissing } from './kubectl-runner.js';
import { kubectlScript } from './script.js';

const noKubectl = kubectlMissing();
const noEtcd = spawnSync('etcd', ['--version'], { timeout: 20_000 }).status === 0 ? undefined : 'no etcd on PATH';

kubectlScript('sqlite', noKubectl);
kubectlScript('etcd', noKubectl ?? noEtcd);
