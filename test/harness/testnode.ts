// A whole test node in one call: network namespace, registry holding the test images,
// containerd (and dockerd, etcd when asked). Use with node:test:
//
//   const node = await startTestNode({ dockerd: true });
//   after(() => node.dispose());          // or t.after(...) inside a test
//
// dispose() undoes everything in reverse order, also after a partial start, and throws if
// something could not be removed.
import { DisposableStore, type Disposable } from '../../src/base/lifecycle.js';
import { startContainerd, type Containerd } from './containerd.js';
import { startDockerd, type Dockerd } from './dockerd.js';
import { startEtcd, type Etcd } from './etcd.js';
import { pushImages } from './images.js';
import { createNetns, type Netns } from './netns.js';
import { startRegistry, type Registry } from './registry.js';
import { createTempDir, type TempDir } from './tmp.js';

export interface TestNodeOptions {
  /** Also start dockerd (for the cri-docker shim). Default false. */
  dockerd?: boolean;
  /** Also start etcd on the machine's loopback. Default false. */
  etcd?: boolean;
  /** Pod subnet of containerd's bridge. Default 10.88.0.0/16. */
  podSubnet?: string;
}

export interface TestNode extends Disposable {
  readonly tmp: TempDir;
  readonly netns: Netns;
  /** Holds pause:3.10 and busybox:1.35; containerd pulls nodelet.local/... from it. */
  readonly registry: Registry;
  readonly containerd: Containerd;
  /** Present when started with `dockerd: true` (startTestNode's return type then says so). */
  readonly dockerd: Dockerd | undefined;
  /** Present when started with `etcd: true` (startTestNode's return type then says so). */
  readonly etcd: Etcd | undefined;
  /** The cgroup parent to give pods and containers (see TempDir.cgroupParent). */
  readonly cgroupParent: string;
  /**
   * Ties something the test started (an agent daemon, a client) to the node: it is disposed
   * first when the node is. Returns the item.
   */
  add<T extends Disposable>(item: T): T;
  /** Tears down everything, last started first. Idempotent. */
  dispose(): Promise<void>;
}

/** A TestNode whose dockerd/etcd are known to be there when the options asked for them. */
export type StartedTestNode<O extends TestNodeOptions> = TestNode &
  (O extends { dockerd: true } ? { readonly dockerd: Dockerd } : unknown) &
  (O extends { etcd: true } ? { readonly etcd: Etcd } : unknown);

export async function startTestNode<const O extends TestNodeOptions = Record<never, never>>(opts?: O): Promise<StartedTestNode<O>> {
  const store = new DisposableStore();
  let disposing: Promise<void> | undefined;
  const dispose = (): Promise<void> => (disposing ??= store.dispose());
  try {
    // The temp dir goes first so that its sweep (kill, unmount, remove cgroups, delete) runs last.
    const tmp = store.add(await createTempDir());
    const netns = store.add(await createNetns());
    const registry = store.add(await startRegistry({ tmp, netns }));
    await pushImages(registry);
    const containerd = store.add(await startContainerd({ tmp, netns, podSubnet: opts?.podSubnet }));
    const dockerd = opts?.dockerd === true ? store.add(await startDockerd({ tmp, netns })) : undefined;
    const etcd = opts?.etcd === true ? store.add(await startEtcd({ tmp })) : undefined;
    const node: TestNode = {
      tmp,
      netns,
      registry,
      containerd,
      dockerd,
      etcd,
      cgroupParent: tmp.cgroupParent,
      add: (item) => store.add(item),
      dispose,
    };
    // dockerd/etcd were started exactly when O asks for them; TypeScript cannot follow that.
    return node as StartedTestNode<O>;
  } catch (err) {
    await dispose().catch((cleanupErr: unknown) => {
      throw new AggregateError([err, cleanupErr], 'test node failed to start, and its teardown failed too');
    });
    throw err;
  }
}

