import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSandboxConfig, namespaceOptionsForPod, podHostname, truncateHostname } from '../../../../src/agent/runtime-config/sandbox-config.js';
import type { Pod } from '../../../../src/api/pod-types.js';
import { makePod } from './fixtures.js';

const DNS = { servers: ['10.96.0.10'], searches: ['ns1.svc.cluster.local'], options: ['ndots:5'] };

// kuberuntime generatePodSandboxConfig / generatePodSandboxLinuxConfig.
test('buildSandboxConfig: metadata, hostname, logs, DNS, labels, annotations, linux', () => {
  const pod = makePod(
    {
      containers: [
        {
          name: 'app',
          image: 'img',
          ports: [
            { containerPort: 80, hostPort: 8080 },
            { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' },
            { containerPort: 9090 },
          ],
        },
        { name: 'side', image: 'img', ports: [{ name: 'm', containerPort: 81, hostPort: 8081 }, { name: 'm', containerPort: 82, hostPort: 8082 }] },
      ],
      initContainers: [{ name: 'init', image: 'img', ports: [{ containerPort: 1, hostPort: 1 }], securityContext: { privileged: true } }],
      securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 5000], sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
    },
    { labels: { app: 'web', 'io.kubernetes.pod.name': 'spoofed' }, annotations: { note: 'x' } },
  );
  const got = buildSandboxConfig(pod, { attempt: 2, podLogsDir: '/var/log/pods/', dns: DNS, cgroupParent: '/kubepods/burstable/poduid-1' });
  assert.deepEqual(got, {
    metadata: { name: 'web', namespace: 'ns1', uid: 'uid-1', attempt: 2 },
    hostname: 'web',
    logDirectory: '/var/log/pods/ns1_web_uid-1',
    dnsConfig: DNS,
    portMappings: [
      { protocol: 'TCP', containerPort: 80, hostPort: 8080 },
      { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIp: '127.0.0.1' },
      { protocol: 'TCP', containerPort: 81, hostPort: 8081 },
    ],
    labels: { app: 'web', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'ns1', 'io.kubernetes.pod.uid': 'uid-1' },
    annotations: { note: 'x' },
    linux: {
      cgroupParent: '/kubepods/burstable/poduid-1',
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      securityContext: {
        namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
        privileged: true,
        seccomp: { profileType: 'RuntimeDefault' },
        runAsUser: { value: 1000 },
        runAsGroup: { value: 3000 },
        supplementalGroups: [2000, 4000, 5000],
      },
    },
  });
});

test('a minimal pod gets no ports, no cgroup parent and an unprivileged sandbox', () => {
  const got = buildSandboxConfig(makePod(), { attempt: 0, podLogsDir: '/var/log/pods', dns: {} });
  assert.equal(got.portMappings, undefined);
  assert.equal(got.linux?.cgroupParent, undefined);
  assert.equal(got.linux?.securityContext?.privileged, false);
  assert.equal(got.linux?.securityContext?.runAsUser, undefined);
  assert.equal(got.linux?.securityContext?.supplementalGroups, undefined);
  assert.deepEqual(got.linux?.sysctls, {});
});

// GeneratePodHostNameAndDomain / truncatePodHostnameIfNeeded.
test('hostname: spec.hostname, the pod name, truncation, host network', () => {
  assert.equal(podHostname(makePod({ hostname: 'db-0' })), 'db-0');
  assert.equal(podHostname(makePod()), 'web');
  assert.equal(podHostname(makePod({ hostNetwork: true })), undefined);
  assert.equal(buildSandboxConfig(makePod({ hostNetwork: true }), { attempt: 0, podLogsDir: '/l', dns: {} }).hostname, undefined);
  const cases: Array<[string, string]> = [
    ['a'.repeat(63), 'a'.repeat(63)],
    ['a'.repeat(64), 'a'.repeat(63)],
    [`${'a'.repeat(61)}-.bcd`, 'a'.repeat(61)],
    [`${'a'.repeat(62)}-b`, 'a'.repeat(62)],
  ];
  for (const [input, want] of cases) assert.equal(truncateHostname(input), want, input);
});

// runtimeutil.NamespacesForPod.
test('namespace options for host namespaces and a shared process namespace', () => {
  const shared = makePod();
  (shared.spec as Pod['spec'] & { shareProcessNamespace?: boolean }).shareProcessNamespace = true;
  const cases: Array<[Pod, object]> = [
    [makePod(), { network: 'POD', pid: 'CONTAINER', ipc: 'POD' }],
    [makePod({ hostNetwork: true }), { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' }],
    [makePod({ hostPID: true }), { network: 'POD', pid: 'NODE', ipc: 'POD' }],
    [makePod({ hostIPC: true }), { network: 'POD', pid: 'CONTAINER', ipc: 'NODE' }],
    [shared, { network: 'POD', pid: 'POD', ipc: 'POD' }],
  ];
  for (const [pod, want] of cases) assert.deepEqual(namespaceOptionsForPod(pod), want);
});
