// e2e: pods created through the real apiserver run on the real agent with real containerd. What a
// user sees (kubectl-visible status, events, what the container sees inside) is asserted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { CriClient } from '../../../src/cri/client.js';
import { startAgentNode, type AgentNode } from './agent-node.js';
import { BUSYBOX, containerId, createPod, eventsFor, execIn, isReady, podObject, podStatus, waitForPod } from './pod-helpers.js';
import { inCidr } from '../../integration/kubectl/objects.js';
import { startDaemon } from '../../harness/process.js';

/** Listens on 127.0.0.1:5001, takes connections and never answers; touches argv[1] once listening. */
const SILENT_SERVER = `
const open = new Set();
require('node:net').createServer((c) => open.add(c)).listen(5001, '127.0.0.1', () => require('node:fs').writeFileSync(process.argv[1], ''));
process.on('SIGTERM', () => process.exit(0));
`;

describe('agent runs pods from the apiserver', { timeout: 600_000 }, () => {
  let n: AgentNode;
  let cri: CriClient;
  before(async () => {
    n = await startAgentNode();
    cri = new CriClient({ endpoint: n.node.containerd.socketPath, timeoutMs: 60_000 });
  }, { timeout: 120_000 });
  after(async () => {
    cri?.dispose();
    await n?.dispose();
  }, { timeout: 120_000 });

  test('the node registers Ready with capacity and a lease', async () => {
    const node = await n.eventually('node Ready', 30_000, async () => {
      const obj = await n.client.get(`/api/v1/nodes/${n.nodeName}`);
      const conds = ((obj['status'] as { conditions?: Array<{ type: string; status: string; reason?: string }> }).conditions ?? []);
      return conds.some((c) => c.type === 'Ready' && c.status === 'True') ? obj : undefined;
    });
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], n.nodeName);
    const status = node['status'] as { capacity?: Record<string, string>; nodeInfo?: Record<string, string> };
    assert.match(status.capacity?.['pods'] ?? '', /^\d+$/);
    assert.match(status.nodeInfo?.['containerRuntimeVersion'] ?? '', /^containerd:\/\//);
    const lease = await n.client.get(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n.nodeName}`);
    assert.equal((lease['spec'] as { holderIdentity?: string }).holderIdentity, n.nodeName);
  });

  test('a pod applied with kubectl runs with its command, env, volumes and resources', async () => {
    const hostDir = n.node.tmp.join('host-path');
    await mkdir(hostDir, { recursive: true });
    await writeFile(hostDir + '/from-host', 'host-data');
    await n.kubectl.ok('create', 'configmap', 'cfg', '--from-literal=greeting=hello', '--from-literal=color=blue', '--dry-run=client', '-o', 'yaml').then(async (yaml) => {
      const file = n.node.tmp.join('cfg.yaml');
      await writeFile(file, yaml);
      await n.kubectl.ok('apply', '-f', file);
    });
    await n.client.create('/api/v1/namespaces/default/secrets', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec' }, data: { password: Buffer.from('s3cret').toString('base64') },
    });
    const manifest = `
apiVersion: v1
kind: Pod
metadata:
  name: full
  labels: {app: full, tier: e2e}
spec:
  nodeName: ${n.nodeName}
  terminationGracePeriodSeconds: 2
  initContainers:
  - name: init
    image: ${BUSYBOX}
    command: ["/bin/sh", "-c", "echo from-init > /scratch/init.txt"]
    volumeMounts: [{name: scratch, mountPath: /scratch}]
  containers:
  - name: main
    image: ${BUSYBOX}
    command: ["/bin/sh", "-c"]
    args: ["echo started; exec sleep 3600"]
    workingDir: /tmp
    env:
    - {name: PLAIN, value: plain-value}
    - {name: EXPANDED, value: "$(PLAIN)-x"}
    - name: FROM_CM
      valueFrom: {configMapKeyRef: {name: cfg, key: greeting}}
    - name: FROM_SECRET
      valueFrom: {secretKeyRef: {name: sec, key: password}}
    - name: MY_POD
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: MY_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: MEM_MI
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
    envFrom:
    - prefix: CM_
      configMapRef: {name: cfg}
    resources:
      requests: {cpu: 100m, memory: 32Mi}
      limits: {cpu: 500m, memory: 64Mi}
    volumeMounts:
    - {name: scratch, mountPath: /scratch}
    - {name: mem, mountPath: /mem}
    - {name: host, mountPath: /host}
    - {name: cm, mountPath: /etc/cm}
    - {name: sec, mountPath: /etc/sec}
    - {name: down, mountPath: /etc/down}
    - {name: proj, mountPath: /etc/proj}
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: mem, emptyDir: {medium: Memory}}
  - name: host
    hostPath: {path: ${hostDir}, type: Directory}
  - name: cm
    configMap: {name: cfg, items: [{key: greeting, path: greet.txt}]}
  - name: sec
    secret: {secretName: sec, defaultMode: 0400}
  - name: down
    downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}, {path: name, fieldRef: {fieldPath: metadata.name}}]}
  - name: proj
    projected:
      sources:
      - configMap: {name: cfg, items: [{key: color, path: color}]}
      - secret: {name: sec, items: [{key: password, path: pw}]}
      - downwardAPI: {items: [{path: ns, fieldRef: {fieldPath: metadata.namespace}}]}
`;
    const file = n.node.tmp.join('full.yaml');
    await writeFile(file, manifest);
    assert.equal((await n.kubectl.ok('apply', '-f', file)).trim(), 'pod/full created');
    const s = await waitForPod(n, 'full', 'Running and Ready', 90_000, isReady);
    assert.ok(s.podIP !== undefined && inCidr(s.podIP, n.node.containerd.podSubnet), `pod IP ${s.podIP ?? ''} in ${n.node.containerd.podSubnet}`);
    assert.equal(s.qosClass, 'Burstable');
    const main = s.containerStatuses?.[0];
    assert.equal(main?.ready, true);
    assert.equal(main?.restartCount, 0);
    assert.ok(main?.state.running?.startedAt !== undefined);
    assert.equal(s.initContainerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    assert.equal(s.initContainerStatuses?.[0]?.state.terminated?.exitCode, 0);
    for (const type of ['PodScheduled', 'PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready']) {
      assert.equal(s.conditions?.find((c) => c.type === type)?.status, 'True', `condition ${type}`);
    }

    const id = containerId(s, 'main');
    const env = new Map((await execIn(cri, id, 'env')).split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(env.get('PLAIN'), 'plain-value');
    assert.equal(env.get('EXPANDED'), 'plain-value-x');
    assert.equal(env.get('FROM_CM'), 'hello');
    assert.equal(env.get('FROM_SECRET'), 's3cret');
    assert.equal(env.get('MY_POD'), 'full');
    assert.equal(env.get('MY_IP'), s.podIP);
    assert.equal(env.get('MEM_MI'), '64');
    assert.equal(env.get('CM_greeting'), 'hello');
    assert.equal(env.get('CM_color'), 'blue');
    assert.equal((await execIn(cri, id, 'pwd')).trim(), '/tmp');
    assert.equal((await execIn(cri, id, "tr '\\0' ' ' < /proc/1/cmdline")).trim(), 'sleep 3600');

    assert.equal(await execIn(cri, id, 'cat /etc/cm/greet.txt'), 'hello');
    assert.equal(await execIn(cri, id, 'cat /etc/sec/password'), 's3cret');
    assert.equal((await execIn(cri, id, 'stat -L -c %a /etc/sec/password')).trim(), '400');
    assert.equal(await execIn(cri, id, 'cat /etc/down/name'), 'full');
    assert.match(await execIn(cri, id, 'cat /etc/down/labels'), /app="full"/);
    assert.equal(await execIn(cri, id, 'cat /etc/proj/color /etc/proj/pw /etc/proj/ns'), 'blues3cretdefault');
    assert.equal(await execIn(cri, id, 'cat /host/from-host'), 'host-data');
    assert.equal(await execIn(cri, id, 'cat /scratch/init.txt'), 'from-init\n', 'the init container ran first, in the same pod');
    await execIn(cri, id, 'echo from-pod > /host/from-pod; echo x > /scratch/f; echo y > /mem/f');
    assert.equal(await readFile(hostDir + '/from-pod', 'utf8'), 'from-pod\n');
    const mounts = await execIn(cri, id, 'cat /proc/mounts');
    assert.match(mounts, /^tmpfs \/mem tmpfs /m, 'a Memory emptyDir is a tmpfs');
    assert.match(mounts, /^tmpfs \/etc\/sec tmpfs /m, 'a secret volume is on tmpfs');
    assert.match(mounts, / \/etc\/cm \S+ ro[, ]/m, 'configMap volumes are read-only');

    const memLimit = (await execIn(cri, id, 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max')).trim();
    assert.equal(memLimit, String(64 * 1024 * 1024));
    const quota = (await execIn(cri, id, 'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/cpu.max')).trim();
    assert.equal(quota, '50000');
    const logs = await n.eventually('the container log', 10_000, async () => {
      const dir = `${n.podLogsDir}/default_full_${s.uid}/main/0.log`;
      const text = await readFile(dir, 'utf8').catch(() => '');
      return text.includes('started') ? text : undefined;
    });
    assert.match(logs, /^\S+ stdout F started$/m);
    const events = await eventsFor(n, 'full');
    for (const reason of ['Pulled', 'Created', 'Started']) assert.ok(events.some((e) => e.startsWith(`${reason}:`)), `${reason} event in ${events.join(' | ')}`);
  });

  test('restartPolicy Never pods end Succeeded or Failed with their exit codes', async () => {
    await createPod(n, podObject('once-ok', n.nodeName, { restartPolicy: 'Never', containers: [{ name: 'c', image: BUSYBOX, command: ['/bin/sh', '-c', 'exit 0'] }] }));
    await createPod(n, podObject('once-fail', n.nodeName, { restartPolicy: 'Never', containers: [{ name: 'c', image: BUSYBOX, command: ['/bin/sh', '-c', 'exit 3'] }] }));
    const ok = await waitForPod(n, 'once-ok', 'Succeeded', 60_000, (s) => s.phase === 'Succeeded');
    assert.equal(ok.containerStatuses?.[0]?.state.terminated?.exitCode, 0);
    assert.equal(ok.containerStatuses?.[0]?.state.terminated?.reason, 'Completed');
    const failed = await waitForPod(n, 'once-fail', 'Failed', 60_000, (s) => s.phase === 'Failed');
    assert.equal(failed.containerStatuses?.[0]?.state.terminated?.exitCode, 3);
    assert.equal(failed.containerStatuses?.[0]?.state.terminated?.reason, 'Error');
    assert.equal(failed.containerStatuses?.[0]?.restartCount, 0);
  });

  test('a pod past its activeDeadlineSeconds is stopped and Failed with DeadlineExceeded', async () => {
    await createPod(n, podObject('deadline', n.nodeName, { activeDeadlineSeconds: 3, terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'] }] }));
    const s = await waitForPod(n, 'deadline', 'Failed', 60_000, (st) => st.phase === 'Failed');
    assert.equal(s.reason, 'DeadlineExceeded');
    assert.equal(s.message, 'Pod was active on the node longer than the specified deadline');
    assert.ok(s.containerStatuses?.[0]?.state.terminated !== undefined, 'its container was stopped');
  });

  test('a crashing container goes into CrashLoopBackOff with growing delays and restartCount', { timeout: 180_000 }, async () => {
    await createPod(n, podObject('crasher', n.nodeName, { containers: [{ name: 'c', image: BUSYBOX, command: ['/bin/sh', '-c', 'echo bye; exit 1'] }] }));
    const first = await waitForPod(n, 'crasher', 'CrashLoopBackOff', 60_000, (s) => s.containerStatuses?.[0]?.state.waiting?.reason === 'CrashLoopBackOff');
    const c1 = first.containerStatuses?.[0];
    assert.equal(c1?.lastState.terminated?.exitCode, 1);
    assert.equal(c1?.lastState.terminated?.reason, 'Error');
    assert.match(c1?.state.waiting?.message ?? '', /^back-off 10s restarting failed container=c pod=crasher_default\(/);
    const later = await waitForPod(n, 'crasher', 'a 20 s back-off', 120_000, (s) => /^back-off 20s /.test(s.containerStatuses?.[0]?.state.waiting?.message ?? ''));
    assert.ok((later.containerStatuses?.[0]?.restartCount ?? 0) >= 2, 'restartCount grows');
    assert.equal(later.phase, 'Running');
    const events = await eventsFor(n, 'crasher');
    assert.ok(events.some((e) => e.startsWith('BackOff: Back-off restarting failed container c in pod crasher_default')), events.join(' | '));
  });

  test('bad input: a missing configMap key and an unsupported volume give clear reasons; other pods are unaffected', async () => {
    await createPod(n, podObject('bad-key', n.nodeName, {
      containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope' } } }] }],
    }));
    await createPod(n, podObject('bad-volume', n.nodeName, {
      containers: [{ name: 'c', image: BUSYBOX, command: ['sleep', '3600'], volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
      volumes: [{ name: 'v', nfs: { server: '127.0.0.1', path: '/export' } } as unknown as { name: string }],
    }));
    const badKey = await waitForPod(n, 'bad-key', 'CreateContainerConfigError', 60_000, (s) => s.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError');
    assert.match(badKey.containerStatuses?.[0]?.state.waiting?.message ?? '', /nope/);
    const badVolume = await waitForPod(n, 'bad-volume', 'ContainerCreating with a message', 60_000, (s) => /nfs/.test(s.containerStatuses?.[0]?.state.waiting?.message ?? ''));
    assert.equal(badVolume.containerStatuses?.[0]?.state.waiting?.reason, 'ContainerCreating');
    assert.ok((await eventsFor(n, 'bad-volume')).some((e) => e.startsWith('FailedMount:')));
    const full = await podStatus(n, 'full');
    assert.ok(isReady(full), 'the earlier pod is still Ready');
    assert.equal(full.containerStatuses?.[0]?.restartCount, 0);
    assert.ok(n.agent().running(), 'the agent still runs');
  });

  test('while its image is pulling, a pod shows ContainerCreating with its sandbox IP, start time and host IP', async () => {
    // A "registry" inside the node's netns that accepts connections and never answers: the pull hangs.
    const up = n.node.tmp.join('silent-registry.up');
    const silent = await startDaemon({
      name: 'silent registry',
      file: process.execPath,
      args: ['-e', SILENT_SERVER, up],
      netns: n.node.netns.name,
      logFile: n.node.tmp.join('silent-registry.log'),
      ready: () => Promise.resolve(existsSync(up)),
    });
    try {
      const image = '127.0.0.1:5001/slow/busybox:1';
      await createPod(n, podObject('pulling', n.nodeName, { containers: [{ name: 'c', image, command: ['sleep', '3600'] }] }));
      const s = await waitForPod(n, 'pulling', 'ContainerCreating with a pod IP', 30_000, (st) => st.containerStatuses?.[0]?.state.waiting?.reason === 'ContainerCreating' && (st.podIP ?? '') !== '');
      assert.equal(s.phase, 'Pending');
      assert.ok(inCidr(s.podIP ?? '', n.node.containerd.podSubnet), `pod IP ${s.podIP ?? ''} in ${n.node.containerd.podSubnet}`);
      const node = await n.client.get(`/api/v1/nodes/${n.nodeName}`);
      const addresses = (node['status'] as { addresses?: Array<{ type: string; address: string }> }).addresses ?? [];
      assert.equal(s.hostIP, addresses.find((a) => a.type === 'InternalIP')?.address);
      assert.match(s.startTime ?? '', /^\d{4}-\d\d-\d\dT/);
      assert.ok((await eventsFor(n, 'pulling')).includes(`Pulling: Pulling image "${image}"`));
      await n.kubectl.ok('delete', 'pod', 'pulling', '--timeout=60s');
    } finally {
      await silent.stop();
    }
  });

  test('deleting a pod stops it within its grace period and removes it', async () => {
    const before = await podStatus(n, 'full');
    const id = containerId(before, 'main');
    const started = Date.now();
    await n.kubectl.ok('delete', 'pod', 'full', '--timeout=60s');
    const elapsed = Date.now() - started;
    await assert.rejects(n.client.get('/api/v1/namespaces/default/pods/full'), (err: Error & { code?: string }) => err.code === 'NotFound');
    await n.eventually('the container removed from the runtime', 30_000, async () => {
      const left = await cri.listContainers({ id });
      return left.length === 0 ? true : undefined;
    });
    process.stdout.write(`# delete of pod full (grace 2 s) took ${elapsed} ms\n`);
    assert.ok((await eventsFor(n, 'full')).some((e) => e === 'Killing: Stopping container main'));
  });
});
