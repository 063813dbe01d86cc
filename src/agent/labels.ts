// The labels and annotations the agent puts on CRI sandboxes and containers, with upstream
// kubelet's keys, so that after a restart the agent (and crictl users) can tell which pod and
// container an object belongs to. Restart adoption reads them back (runtime-state.ts).
export const PodLabel = {
  name: 'io.kubernetes.pod.name',
  namespace: 'io.kubernetes.pod.namespace',
  uid: 'io.kubernetes.pod.uid',
  containerName: 'io.kubernetes.container.name',
} as const;

export const PodAnnotation = {
  /** Hash of the container spec the container was created from: a changed spec restarts it. */
  containerHash: 'io.kubernetes.container.hash',
  restartCount: 'io.kubernetes.container.restartCount',
  terminationMessagePath: 'io.kubernetes.container.terminationMessagePath',
  terminationMessagePolicy: 'io.kubernetes.container.terminationMessagePolicy',
  podTerminationGracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
  containerPorts: 'io.kubernetes.container.ports',
  /** nodelet's own: 'init' or 'app', so status can file containers after a spec change. */
  containerType: 'nodelet.io/container-type',
} as const;

/** Upstream's config-source annotations on static and mirror pods. */
export const SourceAnnotation = {
  source: 'kubernetes.io/config.source',
  hash: 'kubernetes.io/config.hash',
  seen: 'kubernetes.io/config.seen',
  mirror: 'kubernetes.io/config.mirror',
} as const;
