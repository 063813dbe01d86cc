// The integration-test harness: real daemons in a throwaway "test node" (a network namespace plus
// a private directory), torn down completely afterwards.
//
//   import { test, after } from 'node:test';
//   import { startTestNode, BUSYBOX_IMAGE } from '../harness/index.js';
//
//   test('pods run', async (t) => {
//     const node = await startTestNode();            // { dockerd: true } / { etcd: true } for more
//     t.after(() => node.dispose());                 // always: also runs when the test fails
//     // CRI client -> node.containerd.socketPath (unix://...), pods' cgroup_parent under
//     // node.cgroupParent, images as BUSYBOX_IMAGE.ref (nodelet.local/busybox:1.35).
//     // Daemons the test starts itself: node.add(await startDaemon({ ..., netns: node.netns.name })).
//   });
//
// Rules that keep teardown complete: put files, sockets and config under node.tmp (its name marks
// them), give pods and containers cgroup parents under node.cgroupParent, run anything that makes
// links or rules inside node.netns (node.netns.run / startDaemon's `netns`). After the tests,
// scripts/check-leftovers.sh reports what escaped; dist/test/harness/clean-leftovers.js removes it.
// Set NODELET_TEST_LOGS=DIR to keep every daemon's log.

export { startTestNode, type StartedTestNode, type TestNode, type TestNodeOptions } from './testnode.js';
export { createTempDir, TEMP_PREFIX, type TempDir } from './tmp.js';
export { createNetns, nsenterCommand, NETNS_PREFIX, type Netns } from './netns.js';
export { startDaemon, daemonEnv, readLogTail, type Daemon, type DaemonSpec, type ExitInfo } from './process.js';
export { startRegistry, REGISTRY_ADDRESS, type Registry } from './registry.js';
export { startContainerd, CRI_NAMESPACE, type Containerd, type ContainerdOptions } from './containerd.js';
export { startDockerd, pingDocker, type Dockerd } from './dockerd.js';
export { startEtcd, freePort, type Etcd } from './etcd.js';
export { BUSYBOX_IMAGE, PAUSE_IMAGE, TEST_IMAGES, ensureImagesBuilt, pushImages, registryRef, type TestImage } from './images.js';
export { sweepDir, KEEP_LOGS_ENV, type SweepOptions } from './sweep.js';
export { PROJECT_ROOT } from './paths.js';
