// Node IPAM, upstream's range allocator (pkg/controller/nodeipam/ipam/range_allocator.go): each
// node without spec.podCIDRs gets one subnet per cluster CIDR (one per IP family), patched onto
// spec.podCIDR and spec.podCIDRs. Before allocating anything it rebuilds the bitmap from every
// node's existing podCIDRs (a node that has one keeps it); a deleted node's subnets are released.
// A full range leaves the node without a CIDR, with a CIDRNotAvailable event, until a subnet
// is released.
import { ErrorCode, errorMessage, isNodeletError } from '../../../base/errors.js';
import type { Disposable } from '../../../base/lifecycle.js';
import { arrayAt, asJson, objectAt } from '../../../api/json.js';
import { Informer } from '../../../api/client/informer.js';
import type { KubeObject } from '../../../api/object.js';
import { WorkQueue } from '../work-queue.js';
import { cidrSets, formatCidr, type CidrSet, type NodeIpamOptions } from './cidr-set.js';
import type { ControllerDeps } from '../deps.js';

export { cidrSets, DEFAULT_CLUSTER_CIDR, type NodeIpamOptions } from './cidr-set.js';


interface NodeInfo {
  name: string;
  uid: string;
  podCIDRs: string[];
}

function parseNode(obj: KubeObject): NodeInfo {
  const spec = objectAt(asJson(obj), 'spec');
  const list = (arrayAt(spec, 'podCIDRs') ?? []).filter((c): c is string => typeof c === 'string' && c !== '');
  const single = typeof spec?.podCIDR === 'string' && spec.podCIDR !== '' ? [spec.podCIDR] : [];
  return { name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', podCIDRs: list.length > 0 ? list : single };
}

/** The CIDR sets of the options (validated; InvalidConfig when wrong). */

export class NodeIpamController implements Disposable {
  private readonly sets: CidrSet[];
  private readonly nodes: Informer<NodeInfo>;
  private readonly queue: WorkQueue;
  /** What each node holds (from its spec, or given by us and maybe not yet in the cache). */
  private readonly held = new Map<string, { uid: string; cidrs: string[] }>();
  /** Nodes that found the range full (one event each); retried when a subnet is released. */
  private readonly starved = new Set<string>();
  private starting: Promise<void> | undefined;

  constructor(
    private readonly deps: ControllerDeps,
    opts: NodeIpamOptions = {},
  ) {
    this.sets = cidrSets(opts);
    this.queue = new WorkQueue({ clock: deps.clock, log: deps.log, name: 'node ipam controller' }, (name) => this.sync(name));
    this.nodes = new Informer<NodeInfo>(deps, {
      path: '/api/v1/nodes',
      parse: parseNode,
      onError: (err) => deps.log.warn('node ipam controller: node watch failed', { error: errorMessage(err) }),
    });
    this.nodes.addHandlers({
      upsert: (_key, node) => {
        // Recorded at once (not queued): the bitmap is whole before the queue starts.
        if (node.podCIDRs.length > 0) this.occupy(node);
        else this.queue.add(node.name);
      },
      deleted: (_key, node) => this.release(node),
    });
  }

  start(): void {
    this.starting ??= (async () => {
      this.nodes.start();
      await this.nodes.waitForSync();
      this.queue.start();
    })();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async dispose(): Promise<void> {
    await this.queue.dispose();
    await this.nodes.dispose();
    await this.starting;
  }

  private occupy(node: NodeInfo): void {
    const mine = this.held.get(node.name);
    if (mine !== undefined && mine.uid === node.uid && sameCidrs(mine.cidrs, node.podCIDRs)) return;
    // Ours was lost to a concurrent writer: give back what we had picked.
    if (mine !== undefined && mine.uid === node.uid) this.releaseCidrs(mine.cidrs);
    for (const cidr of node.podCIDRs) {
      const set = this.sets.find((s) => s.contains(cidr));
      if (set === undefined) this.deps.log.warn('node ipam controller: node has a podCIDR outside the cluster CIDRs', { node: node.name, cidr });
      else set.occupy(cidr);
    }
    this.held.set(node.name, { uid: node.uid, cidrs: [...node.podCIDRs] });
    this.starved.delete(node.name);
  }

  private release(node: NodeInfo): void {
    const mine = this.held.get(node.name);
    this.starved.delete(node.name);
    if (mine === undefined || mine.uid !== node.uid) return;
    this.held.delete(node.name);
    this.releaseCidrs(mine.cidrs);
    for (const waiting of this.starved) this.queue.add(waiting);
  }

  private releaseCidrs(cidrs: string[]): void {
    for (const cidr of cidrs) for (const s of this.sets) s.release(cidr);
  }

  private async sync(name: string): Promise<void> {
    const node = this.nodes.get(name);
    if (node === undefined || node.podCIDRs.length > 0) return;
    let mine = this.held.get(name);
    if (mine !== undefined && mine.uid !== node.uid) {
      // A node recreated under the same name while its deletion was not yet seen.
      this.releaseCidrs(mine.cidrs);
      this.held.delete(name);
      mine = undefined;
    }
    if (mine === undefined) {
      const cidrs = this.allocate();
      if (cidrs === undefined) {
        await this.full(node);
        return;
      }
      mine = { uid: node.uid, cidrs };
      this.held.set(name, mine);
    }
    try {
      await this.deps.client.patch(`/api/v1/nodes/${name}`, 'merge', { spec: { podCIDR: mine.cidrs[0] ?? '', podCIDRs: mine.cidrs } });
      this.deps.log.info('node ipam controller: assigned pod CIDRs', { node: name, podCIDRs: mine.cidrs });
    } catch (err) {
      if (isNodeletError(err, ErrorCode.NotFound)) return; // its deletion will release them
      if (isNodeletError(err, ErrorCode.InvalidArgument)) {
        // Someone set podCIDRs first (they are immutable once set): adopt what the node has.
        const fresh = parseNode(await this.deps.client.get(`/api/v1/nodes/${name}`));
        if (fresh.podCIDRs.length > 0) {
          this.occupy(fresh);
          return;
        }
      }
      this.held.delete(name);
      this.releaseCidrs(mine.cidrs);
      throw err;
    }
  }

  /** One subnet of every set, or none at all. */
  private allocate(): string[] | undefined {
    const got: string[] = [];
    for (const s of this.sets) {
      const cidr = s.allocate();
      if (cidr === undefined) {
        this.releaseCidrs(got);
        return undefined;
      }
      got.push(cidr);
    }
    return got;
  }

  private async full(node: NodeInfo): Promise<void> {
    if (this.starved.has(node.name)) return;
    this.starved.add(node.name);
    this.deps.log.warn('node ipam controller: no pod CIDR left for the node', { node: node.name, clusterCIDRs: this.sets.map((s) => formatCidr(s.cluster)) });
    const ms = this.deps.clock.now();
    const now = new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const event: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      // Named as client-go's recorder names events: <object>.<timestamp in hex>.
      metadata: { name: `${node.name}.${(BigInt(ms) * 1_000_000n).toString(16)}`, namespace: 'default' },
      involvedObject: { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid },
      reason: 'CIDRNotAvailable',
      message: `Node ${node.name} status is now: CIDRNotAvailable`,
      type: 'Normal',
      source: { component: 'cidrAllocator' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.deps.client.create('/api/v1/namespaces/default/events', event);
    } catch (err) {
      this.deps.log.warn('node ipam controller: could not record an event', { node: node.name, error: errorMessage(err) });
    }
  }
}

function sameCidrs(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}
