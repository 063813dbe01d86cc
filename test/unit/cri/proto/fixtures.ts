// Realistic CRI messages in proto-loader's object form, as the client sends them and as
// containerd answers, for comparing codec.ts with proto-loader.

const MAX_U64 = '18446744073709551615';
const MAX_I64 = '9223372036854775807';
const MIN_I64 = '-9223372036854775808';
const P53_1 = '9007199254740993'; // 2^53 + 1: wrong if it ever passes through a double

const ns = { network: 'NODE', pid: 'CONTAINER', ipc: 'POD', targetId: '' };

const resources = {
  cpuPeriod: '100000',
  cpuQuota: '-1',
  cpuShares: '1024',
  memoryLimitInBytes: '134217728',
  oomScoreAdj: '-997',
  cpusetCpus: '0-3',
  cpusetMems: '0',
  hugepageLimits: [{ pageSize: '2MB', limit: '2097152' }],
  unified: { 'memory.high': '100000000', 'cpu.weight': '100' },
  memorySwapLimitInBytes: '268435456',
};

export const podSandboxConfig = {
  metadata: { name: 'web-7d4b9c', uid: '0b1f7c8e-1234-4a5b-9c9d-000000000001', namespace: 'default', attempt: 2 },
  hostname: 'web-7d4b9c',
  logDirectory: '/var/log/pods/default_web-7d4b9c_0b1f7c8e',
  dnsConfig: { servers: ['10.96.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] },
  portMappings: [
    { protocol: 'TCP', containerPort: 8080, hostPort: 30080, hostIp: '0.0.0.0' },
    { protocol: 'SCTP', containerPort: 9000, hostPort: 0, hostIp: '' },
  ],
  labels: { app: 'web', 'io.kubernetes.pod.name': 'web-7d4b9c', 'héllo': 'wörld ✓' },
  annotations: { 'kubernetes.io/config.seen': '2024-01-01T00:00:00Z', long: 'x'.repeat(300) },
  linux: {
    cgroupParent: '/kubepods/burstable/pod0b1f7c8e',
    securityContext: {
      namespaceOptions: { ...ns, usernsOptions: { mode: 'POD', uids: [{ hostId: 100000, containerId: 0, length: 65536 }], gids: [] } },
      selinuxOptions: { user: 'system_u', role: 'system_r', type: 'container_t', level: 's0:c1,c2' },
      runAsUser: { value: '1000' },
      runAsGroup: { value: '0' },
      readonlyRootfs: true,
      supplementalGroups: ['1', '2000', P53_1, '-1'],
      supplementalGroupsPolicy: 'Strict',
      privileged: false,
      seccomp: { profileType: 'Localhost', localhostRef: '/var/lib/kubelet/seccomp/audit.json' },
      apparmor: { profileType: 'RuntimeDefault', localhostRef: '' },
      seccompProfilePath: '',
    },
    sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
    overhead: null,
    resources,
  },
};

export const containerConfig = {
  metadata: { name: 'app', attempt: 0 },
  image: { image: 'sha256:abcdef', annotations: {}, userSpecifiedImage: 'nodelet.local/busybox:1.35' },
  command: ['/bin/sh', '-c'],
  args: ['echo hello; sleep 3600'],
  workingDir: '/work',
  envs: [
    { key: 'PATH', value: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
    { key: 'KUBERNETES_SERVICE_HOST', value: '10.96.0.1' },
    { key: 'EMPTY', value: '' },
  ],
  mounts: [
    { containerPath: '/etc/hosts', hostPath: '/var/lib/kubelet/pods/x/etc-hosts', readonly: false, selinuxRelabel: true, propagation: 'PROPAGATION_PRIVATE' },
    {
      containerPath: '/data',
      hostPath: '/srv/data',
      readonly: true,
      propagation: 'PROPAGATION_BIDIRECTIONAL',
      uidMappings: [{ hostId: 1, containerId: 2, length: 3 }],
      recursiveReadOnly: true,
      image: { image: 'img', annotations: { a: 'b' } },
      imageSubPath: 'sub',
    },
  ],
  devices: [{ containerPath: '/dev/fuse', hostPath: '/dev/fuse', permissions: 'rwm' }],
  labels: { 'io.kubernetes.container.name': 'app' },
  annotations: { 'io.kubernetes.container.hash': 'abc123', 'io.kubernetes.container.restartCount': '0' },
  logPath: 'app/0.log',
  stdin: true,
  stdinOnce: false,
  tty: true,
  linux: {
    resources,
    securityContext: {
      capabilities: { addCapabilities: ['NET_ADMIN'], dropCapabilities: ['ALL'], addAmbientCapabilities: [] },
      privileged: false,
      namespaceOptions: ns,
      runAsUser: { value: '65534' },
      runAsUsername: '',
      readonlyRootfs: true,
      supplementalGroups: ['3', '4'],
      noNewPrivs: true,
      maskedPaths: ['/proc/kcore', '/proc/keys'],
      readonlyPaths: ['/proc/sys'],
      seccomp: { profileType: 'RuntimeDefault' },
    },
  },
  CDIDevices: [{ name: 'vendor.com/gpu=0' }],
  stopSignal: 'SIGTERM',
};

export function container(i: number): Record<string, unknown> {
  return {
    id: `${i.toString(16).padStart(4, '0')}${'c'.repeat(60)}`,
    podSandboxId: `${'p'.repeat(60)}${i.toString(16).padStart(4, '0')}`,
    metadata: { name: `container-${i}`, attempt: i % 3 },
    image: { image: 'sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741', annotations: {} },
    imageRef: 'sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741',
    state: i % 5 === 0 ? 'CONTAINER_EXITED' : 'CONTAINER_RUNNING',
    createdAt: String(1_700_000_000_000_000_000n + BigInt(i) * 1_000_123n),
    labels: {
      'io.kubernetes.container.name': `container-${i}`,
      'io.kubernetes.pod.name': `pod-${i}`,
      'io.kubernetes.pod.namespace': 'default',
      'io.kubernetes.pod.uid': `0b1f7c8e-1234-4a5b-9c9d-${String(i).padStart(12, '0')}`,
    },
    annotations: {
      'io.kubernetes.container.hash': 'f00dcafe',
      'io.kubernetes.container.restartCount': String(i % 3),
      'io.kubernetes.container.terminationMessagePath': '/dev/termination-log',
      'io.kubernetes.pod.terminationGracePeriod': '30',
    },
    imageId: '',
  };
}

export const listContainersResponse = { containers: Array.from({ length: 30 }, (_, i) => container(i)) };

function containerStatus(i: number): Record<string, unknown> {
  const c = container(i);
  return {
    id: c['id'],
    metadata: c['metadata'],
    state: 'CONTAINER_EXITED',
    createdAt: '1700000000123456789',
    startedAt: '1700000001123456789',
    finishedAt: '1700000002123456789',
    exitCode: -1,
    image: c['image'],
    imageRef: c['imageRef'],
    reason: 'OOMKilled',
    message: 'killed',
    labels: c['labels'],
    annotations: c['annotations'],
    mounts: [{ containerPath: '/data', hostPath: '/srv', readonly: true, propagation: 'PROPAGATION_HOST_TO_CONTAINER' }],
    logPath: '/var/log/pods/x/app/0.log',
    resources: { linux: resources },
    user: { linux: { uid: '0', gid: '0', supplementalGroups: ['0', '10'] } },
    stopSignal: 'SIGKILL',
  };
}

export const containerStatusResponse = {
  status: containerStatus(1),
  info: { info: JSON.stringify({ pid: 4242, sandboxID: 'abc', runtimeSpec: { ociVersion: '1.1.0' } }) },
};

export const execSyncResponse = {
  stdout: Buffer.concat([Buffer.from('hello\n'), Buffer.from([0, 0xff, 0xfe, 0x80]), Buffer.alloc(70_000, 0x61)]),
  stderr: Buffer.from('warning: ✓\n'),
  exitCode: 3,
};

export const versionResponse = { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: 'v1.7.24', runtimeApiVersion: 'v1' };

export const podSandboxStatus = {
  id: 'p'.repeat(64),
  metadata: podSandboxConfig.metadata,
  state: 'SANDBOX_NOTREADY',
  createdAt: '1700000000123456789',
  network: { ip: '10.88.0.12', additionalIps: [{ ip: 'fd00::12' }, { ip: '10.89.0.12' }] },
  linux: { namespaces: { options: ns } },
  labels: podSandboxConfig.labels,
  annotations: podSandboxConfig.annotations,
  runtimeHandler: 'runc',
};

export const podSandboxStatusResponse = {
  status: podSandboxStatus,
  info: { info: '{"pid":4241}' },
  containersStatuses: [containerStatus(2), containerStatus(3)],
  timestamp: '1700000003000000000',
};

export const imageStatusResponse = {
  image: {
    id: 'sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741',
    repoTags: ['nodelet.local/busybox:1.35'],
    repoDigests: ['nodelet.local/busybox@sha256:0123'],
    size: '4261550',
    uid: { value: '0' },
    username: '',
    spec: { image: 'nodelet.local/busybox:1.35', annotations: {} },
    pinned: true,
  },
  info: { info: '{}' },
};

export const containerEventResponse = {
  containerId: 'c'.repeat(64),
  containerEventType: 'CONTAINER_STOPPED_EVENT',
  createdAt: '1700000000999999999',
  podSandboxStatus,
  containersStatuses: [containerStatus(4)],
};

const u64 = (value: string) => ({ value });

/** ContainerStats with 64-bit values at the extremes. */
export const containerStatsResponse = {
  stats: {
    attributes: { id: 'c1', metadata: { name: 'app', attempt: 1 }, labels: { a: 'b' }, annotations: {} },
    cpu: { timestamp: MAX_I64, usageCoreNanoSeconds: u64(MAX_U64), usageNanoCores: u64('0') },
    memory: {
      timestamp: MIN_I64,
      workingSetBytes: u64(P53_1),
      availableBytes: u64('4294967296'),
      usageBytes: u64('4294967295'),
      rssBytes: u64('1'),
      pageFaults: u64('9223372036854775808'),
      majorPageFaults: u64('0'),
    },
    writableLayer: { timestamp: '-1', fsId: { mountpoint: '/var/lib/containerd' }, usedBytes: u64('12345'), inodesUsed: u64('67') },
    swap: { timestamp: '-9007199254740993', swapAvailableBytes: u64('0'), swapUsageBytes: u64(MAX_U64) },
  },
};
