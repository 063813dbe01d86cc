// Pod and container configs for CRI tests and benchmarks against a harness test node.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ContainerConfig, Labels, PodSandboxConfig } from '../../../src/cri/types.js';
import { BUSYBOX_IMAGE } from '../../harness/images.js';

export interface PodFixture {
  uid: string;
  config: PodSandboxConfig;
}

/** A pod sandbox config with its log directory laid out as kubelet does: <root>/<ns>_<name>_<uid>. */
export function podConfig(opts: { name: string; logRoot: string; cgroupParent: string; labels?: Labels }): PodFixture {
  const uid = randomUUID();
  const namespace = 'default';
  return {
    uid,
    config: {
      metadata: { name: opts.name, uid, namespace, attempt: 0 },
      hostname: opts.name,
      logDirectory: path.join(opts.logRoot, `${namespace}_${opts.name}_${uid}`),
      labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.pod.name': opts.name, ...opts.labels },
      linux: { cgroupParent: path.posix.join(opts.cgroupParent, `pod${uid}`) },
    },
  };
}

/** A busybox container running `sh -c script`, logging to <name>/0.log under the pod's log dir. */
export function shellContainer(name: string, script: string, labels: Labels = {}): ContainerConfig {
  return {
    metadata: { name, attempt: 0 },
    image: { image: BUSYBOX_IMAGE.ref },
    command: ['/bin/sh', '-c', script],
    envs: [{ key: 'GREETING', value: 'hello from nodelet' }],
    labels: { 'io.kubernetes.container.name': name, ...labels },
    logPath: path.join(name, '0.log'),
  };
}
