// A smoke run of the machine's kubectl against the handler (HTTPS: kubectl sends tokens only over
// TLS). Skipped when no kubectl is on PATH. The full kubectl script is test/e2e's; this checks the
// paths it relies on: discovery, OpenAPI-based validation, apply, Table output, patch, scale, delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from './server.js';

const run = promisify(execFile);
const KUBECTL = process.env.KUBECTL ?? 'kubectl';

async function hasKubectl(): Promise<boolean> {
  try {
    await run(KUBECTL, ['version', '--client'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

const available = await hasKubectl();
let s: TestServer;
let kubeconfig = '';

before(async () => {
  if (!available) return;
  s = await startTestServer({ tls: true });
  kubeconfig = await s.kubeconfig();
});
after(async () => {
  if (available) await s.close();
});

async function kubectl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`, { cause: err });
  }
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sleep", "3600"]
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: dep
spec:
  replicas: 1
  selector: {matchLabels: {app: dep}}
  template:
    metadata: {labels: {app: dep}}
    spec:
      containers:
      - name: c
        image: busybox
`;

test('kubectl: discovery, cluster-info, get ns', { skip: !available && 'no kubectl on PATH' }, async () => {
  const resources = await kubectl('api-resources');
  assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
  assert.match(await kubectl('cluster-info'), /Kubernetes control plane is running at https:\/\/127\.0\.0\.1:/);
  const ns = await kubectl('get', 'ns');
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`^${name}\\s`, 'm'));
});

test('kubectl: apply, get -o wide, apply again, label, patch, delete --force', { skip: !available && 'no kubectl on PATH' }, async () => {
  const file = s.tmp.join('pod.yaml');
  await writeFile(file, POD);
  assert.match(await kubectl('apply', '-f', file), /pod\/web created/);
  assert.match(await kubectl('get', 'pods', '-o', 'wide'), /^web\s/m);
  assert.match(await kubectl('apply', '-f', file), /pod\/web unchanged/);
  assert.match(await kubectl('label', 'pod', 'web', 'tier=front'), /pod\/web labeled/);
  assert.match(await kubectl('patch', 'pod', 'web', '--type=merge', '-p', '{"metadata":{"annotations":{"a":"b"}}}'), /pod\/web patched/);
  assert.match(await kubectl('patch', 'pod', 'web', '-p', '{"metadata":{"labels":{"s":"1"}}}'), /pod\/web patched/);
  assert.match(await kubectl('patch', 'pod', 'web', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/j","value":"2"}]'), /pod\/web patched/);
  assert.equal(await kubectl('get', 'pod', 'web', '-o', 'jsonpath={.metadata.labels}'), '{"app":"web","j":"2","s":"1","tier":"front"}');
  assert.match(await kubectl('describe', 'pod', 'web'), /^Name:\s+web$/m);
  assert.match(await kubectl('delete', 'pod', 'web', '--grace-period=0', '--force'), /pod "web" force deleted/);
  assert.doesNotMatch(await kubectl('get', 'pods'), /^web\s/m);
});

test('kubectl: apply a deployment and scale it', { skip: !available && 'no kubectl on PATH' }, async () => {
  const file = s.tmp.join('dep.yaml');
  await writeFile(file, DEPLOYMENT);
  assert.match(await kubectl('apply', '-f', file), /deployment.apps\/dep created/);
  assert.match(await kubectl('scale', 'deployment', 'dep', '--replicas=3'), /deployment.apps\/dep scaled/);
  assert.equal(await kubectl('get', 'deployment', 'dep', '-o', 'jsonpath={.spec.replicas}'), '3');
});
