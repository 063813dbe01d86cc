import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildContainerConfig, containerSecurityContext } from '../../../../src/agent/runtime-config/container-config.js';
import { containerHash } from '../../../../src/agent/runtime-config/hash.js';
import type { Container } from '../../../../src/api/pod-types.js';
import { makePod } from './fixtures.js';

const GI = 1024 ** 3;

// kuberuntime generateContainerConfig / generateLinuxContainerConfig, labels.go newContainerAnnotations.
test('buildContainerConfig: metadata, image, expanded command/args, env, mounts, labels, annotations, log path', () => {
  const container: Container = {
    name: 'app',
    image: 'nodelet.local/busybox:1.35',
    command: ['sh', '-c'],
    args: ['echo $(GREETING) $(UNKNOWN) $$(GREETING)'],
    workingDir: '/work',
    ports: [{ containerPort: 80, protocol: 'TCP' }],
    resources: { limits: { cpu: '500m', memory: '64Mi' } },
    stdin: true,
    tty: true,
  };
  const pod = makePod({ containers: [container], terminationGracePeriodSeconds: 30 });
  const env = [{ key: 'GREETING', value: 'hi' }];
  const mounts = [{ containerPath: '/data', hostPath: '/var/lib/nodelet/pods/uid-1/volumes/data' }];
  const got = buildContainerConfig(pod, container, {
    type: 'app',
    attempt: 3,
    restartCount: 3,
    env,
    mounts,
    podLogsDir: '/var/log/pods',
    imageRef: 'sha256:abc',
    memoryCapacity: 4 * GI,
  });
  assert.deepEqual(got.metadata, { name: 'app', attempt: 3 });
  assert.deepEqual(got.image, { image: 'sha256:abc', userSpecifiedImage: 'nodelet.local/busybox:1.35' });
  assert.deepEqual(got.command, ['sh', '-c']);
  assert.deepEqual(got.args, ['echo hi $(UNKNOWN) $(GREETING)']);
  assert.equal(got.workingDir, '/work');
  assert.deepEqual(got.envs, env);
  assert.deepEqual(got.mounts, mounts);
  assert.equal(got.logPath, 'app/3.log');
  assert.equal(got.stdin, true);
  assert.equal(got.tty, true);
  assert.deepEqual(got.labels, {
    'io.kubernetes.pod.name': 'web',
    'io.kubernetes.pod.namespace': 'ns1',
    'io.kubernetes.pod.uid': 'uid-1',
    'io.kubernetes.container.name': 'app',
  });
  assert.deepEqual(got.annotations, {
    'io.kubernetes.container.hash': containerHash(container),
    'io.kubernetes.container.restartCount': '3',
    'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
    'io.kubernetes.container.terminationMessagePolicy': 'File',
    'io.kubernetes.pod.terminationGracePeriod': '30',
    'io.kubernetes.container.ports': '[{"containerPort":80,"protocol":"TCP"}]',
    'nodelet.io/container-type': 'app',
  });
  assert.deepEqual(got.linux?.resources, { cpuShares: 512, cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 67108864, oomScoreAdj: -997 });
});

test('buildContainerConfig: no command/args/workingDir when unset; init type and termination message settings', () => {
  const container: Container = { name: 'init', image: 'img', terminationMessagePath: '/tmp/msg', terminationMessagePolicy: 'FallbackToLogsOnError' };
  const pod = makePod({ initContainers: [container] });
  const got = buildContainerConfig(pod, container, {
    type: 'init',
    attempt: 0,
    restartCount: 0,
    env: [],
    mounts: [],
    podLogsDir: '/var/log/pods',
    imageRef: 'img',
    memoryCapacity: GI,
    minOomScoreAdj: 0,
  });
  assert.equal(got.command, undefined);
  assert.equal(got.args, undefined);
  assert.equal(got.workingDir, undefined);
  assert.equal(got.stdin, false);
  assert.equal(got.logPath, 'init/0.log');
  assert.equal(got.annotations?.['nodelet.io/container-type'], 'init');
  assert.equal(got.annotations?.['io.kubernetes.container.terminationMessagePath'], '/tmp/msg');
  assert.equal(got.annotations?.['io.kubernetes.container.terminationMessagePolicy'], 'FallbackToLogsOnError');
  assert.equal(got.annotations?.['io.kubernetes.pod.terminationGracePeriod'], undefined);
  assert.equal(got.annotations?.['io.kubernetes.container.ports'], undefined);
  assert.equal(got.linux?.resources?.oomScoreAdj, 1000);
});

// determineEffectiveSecurityContext / convertToRuntimeSecurityContext / AddNoNewPrivileges.
test('containerSecurityContext merges pod and container settings', () => {
  const pod = makePod({ hostPID: true, securityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, supplementalGroups: [3000] } });
  const plain = containerSecurityContext(pod, { name: 'a', image: 'i' });
  assert.deepEqual(plain.runAsUser, { value: 1000 });
  assert.deepEqual(plain.runAsGroup, { value: 1000 });
  assert.deepEqual(plain.supplementalGroups, [2000, 3000]);
  assert.deepEqual(plain.namespaceOptions, { network: 'POD', pid: 'NODE', ipc: 'POD' });
  assert.equal(plain.privileged, false);
  assert.equal(plain.readonlyRootfs, false);
  assert.equal(plain.noNewPrivs, false);
  assert.equal(plain.capabilities, undefined);
  assert.ok(plain.maskedPaths?.includes('/proc/kcore'));
  assert.ok(plain.readonlyPaths?.includes('/proc/sys'));

  const strict = containerSecurityContext(pod, {
    name: 'b',
    image: 'i',
    securityContext: {
      runAsUser: 0,
      privileged: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
    },
  });
  assert.deepEqual(strict.runAsUser, { value: 0 });
  assert.deepEqual(strict.runAsGroup, { value: 1000 });
  assert.equal(strict.privileged, true);
  assert.equal(strict.readonlyRootfs, true);
  assert.equal(strict.noNewPrivs, true);
  assert.deepEqual(strict.capabilities, { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'] });

  const allow = containerSecurityContext(makePod(), { name: 'c', image: 'i', securityContext: { allowPrivilegeEscalation: true } });
  assert.equal(allow.noNewPrivs, false);
  assert.equal(allow.runAsUser, undefined);
  assert.equal(allow.supplementalGroups, undefined);
});
