// ClusterIP and NodePort allocation for Services, as upstream's service REST storage: a requested
// value is honoured when it is in range and free (422 otherwise), a missing one is allocated,
// values an update leaves out are kept from the old object (patchAllocatedValues), and values a
// Service stops holding (deleted, or changed type) are released after the write. Claims live in
// the Store (claims.ts); start() repairs claims left behind by a crash between claim and write.
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { errorMessage } from '../../base/errors.js';
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/object.js';
import { objectsAt, stringAt } from '../../api/json.js';
import type { ObjectHooks, Undo } from '../registry/hooks.js';
import type { ObjectStore } from '../registry/object-store.js';
import { findResource } from '../resources.js';
import { invalid, internalError, type StatusCause } from '../status.js';
import type { Store } from '../storage/store.js';
import { ClaimSet } from './claims.js';
import { firstIP, formatPortRange, ipAt, ipOffset, parseIPv4Range, parsePortRange, type IPv4Range, type PortRange } from './ranges.js';
import { heldValues, needsClusterIP, needsHealthCheckNodePort, needsNodePorts, type Held } from './service-spec.js';

export interface ServiceAllocatorDeps {
  store: Store;
  objects: ObjectStore;
  clock: Clock;
  log: Logger;
  clusterIPRange: string;
  nodePortRange: string;
  random?: () => number;
}

export const IP_CLAIMS_PREFIX = '/nodelet/allocations/serviceips/';
export const PORT_CLAIMS_PREFIX = '/nodelet/allocations/servicenodeports/';
/** A claim younger than this may belong to a create still in flight (on another apiserver too). */
const REPAIR_MIN_AGE_MS = 60_000;

type Taken = Array<{ set: ClaimSet; value: string }>;

export class ServiceAllocator implements ObjectHooks {
  readonly range: IPv4Range;
  readonly ports: PortRange;
  private readonly ips: ClaimSet;
  private readonly nodePorts: ClaimSet;
  private readonly random: () => number;

  constructor(private readonly deps: ServiceAllocatorDeps) {
    this.range = parseIPv4Range(deps.clusterIPRange);
    this.ports = parsePortRange(deps.nodePortRange);
    const now = (): number => deps.clock.now();
    this.ips = new ClaimSet({ store: deps.store, prefix: IP_CLAIMS_PREFIX, now });
    this.nodePorts = new ClaimSet({ store: deps.store, prefix: PORT_CLAIMS_PREFIX, now });
    this.random = deps.random ?? Math.random;
  }

  get firstIP(): string {
    return firstIP(this.range);
  }

  /** Loads the claims and reconciles them with the stored Services. */
  async start(): Promise<void> {
    const [ipClaims, portClaims] = [await this.ips.load(), await this.nodePorts.load()];
    const services = findResource('', 'v1', 'services');
    if (services === undefined) return;
    const held = new Map<string, string>();
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.deps.objects.list(services, '', { limit: 500, ...(startAfter !== undefined ? { startAfter } : {}) });
      for (const { object } of page.entries) {
        const owner = ownerOf(object);
        const h = heldValues(object);
        for (const ip of h.ips) if (ipOffset(this.range, ip) !== undefined) held.set(`ip/${ip}`, owner);
        for (const port of h.ports) held.set(`port/${port}`, owner);
      }
      const last = page.entries[page.entries.length - 1];
      if (!page.more || last === undefined) break;
      startAfter = last.key;
    }
    const now = this.deps.clock.now();
    for (const [set, kind, claims] of [[this.ips, 'ip', ipClaims], [this.nodePorts, 'port', portClaims]] as const) {
      for (const c of claims) {
        const holder = held.get(`${kind}/${c.value}`);
        if (holder === c.owner) continue;
        if (holder === undefined && now - c.at < REPAIR_MIN_AGE_MS) continue;
        this.deps.log.info('releasing a leaked service allocation', { kind, value: c.value, owner: c.owner });
        await set.release(c.value, c.owner);
      }
    }
    for (const [k, owner] of held) {
      const [kind, value = ''] = k.split(/\/(.*)/s);
      const set = kind === 'ip' ? this.ips : this.nodePorts;
      if (!set.probablyTaken(value) && (await set.claim(value, owner))) {
        this.deps.log.info('recorded a service allocation that had no claim', { kind, value, owner });
      }
    }
  }

  async beforeCreate(svc: KubeObject, dryRun: boolean): Promise<Undo> {
    const taken: Taken = [];
    try {
      const spec = specOf(svc);
      if (needsClusterIP(spec)) await this.assignClusterIP(svc, spec, undefined, taken, dryRun);
      await this.assignNodePorts(svc, spec, new Set(), taken, dryRun);
    } catch (err) {
      await this.releaseAll(taken, ownerOf(svc));
      throw err;
    }
    return () => this.releaseAll(taken, ownerOf(svc));
  }

  async beforeUpdate(next: KubeObject, old: KubeObject, dryRun: boolean): Promise<{ undo: Undo; commit: Undo }> {
    const taken: Taken = [];
    const spec = specOf(next);
    const oldSpec = specOf(old);
    const before = heldValues(old);
    try {
      if (needsClusterIP(spec)) await this.assignClusterIP(next, spec, needsClusterIP(oldSpec) ? oldSpec : undefined, taken, dryRun);
      else {
        delete spec.clusterIP;
        delete spec.clusterIPs;
      }
      keepOldNodePorts(spec, oldSpec);
      await this.assignNodePorts(next, spec, new Set(before.ports), taken, dryRun);
    } catch (err) {
      await this.releaseAll(taken, ownerOf(next));
      throw err;
    }
    const after = heldValues(next);
    const released: Taken = [
      ...before.ips.filter((ip) => !after.ips.includes(ip)).map((value) => ({ set: this.ips, value })),
      ...before.ports.filter((p) => !after.ports.includes(p)).map((p) => ({ set: this.nodePorts, value: String(p) })),
    ];
    return { undo: () => this.releaseAll(taken, ownerOf(next)), commit: () => this.releaseAll(released, ownerOf(old)) };
  }

  async afterDelete(svc: KubeObject): Promise<void> {
    const h: Held = heldValues(svc);
    await this.releaseAll(
      [...h.ips.map((value) => ({ set: this.ips, value })), ...h.ports.map((p) => ({ set: this.nodePorts, value: String(p) }))],
      ownerOf(svc),
    );
  }

  dispose(): void {}

  private async assignClusterIP(svc: KubeObject, spec: JsonObject, oldSpec: JsonObject | undefined, taken: Taken, dryRun: boolean): Promise<void> {
    const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
    const requested = stringAt(spec, 'clusterIP') || (typeof ips[0] === 'string' ? ips[0] : '');
    const oldIP = oldSpec === undefined ? '' : (stringAt(oldSpec, 'clusterIP') ?? '');
    let ip: string;
    if (requested === '' && oldIP !== '') ip = oldIP;
    else if (oldIP !== '' && requested !== oldIP) {
      throw invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', [
        { reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: []string{"${requested}"}: may not change once set` },
      ]);
    } else if (requested === oldIP && oldIP !== '') ip = oldIP;
    else if (requested === 'None') ip = 'None';
    else if (requested !== '') ip = await this.claimIP(svc, requested, taken, dryRun);
    else ip = await this.allocateIP(svc, taken, dryRun);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  private async claimIP(svc: KubeObject, ip: string, taken: Taken, dryRun: boolean): Promise<string> {
    const cause = (message: string): StatusCause => ({ reason: 'FieldValueInvalid', field: 'spec.clusterIPs[0]', message: `Invalid value: "${ip}": ${message}` });
    const fail = (message: string): Error => invalid({ group: '', kind: 'Service' }, svc.metadata.name ?? '', [cause(message)]);
    if (ipOffset(this.range, ip) === undefined) {
      if (ip.split('.').length !== 4 || ip.split('.').some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        throw fail('must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
      }
      throw fail(`provided IP is not in the valid range. The range of valid IPs is ${this.range.cidr}`);
    }
    const ok = dryRun ? await this.ips.isFree(ip) : await this.ips.claim(ip, ownerOf(svc));
    if (!ok) throw fail('provided IP is already allocated');
    if (!dryRun) taken.push({ set: this.ips, value: ip });
    return ip;
  }

  private async allocateIP(svc: KubeObject, taken: Taken, dryRun: boolean): Promise<string> {
    // Offset 1 is the `kubernetes` Service's; dynamic allocation starts above it.
    const count = this.range.size - 3;
    const ip = await this.search(this.ips, count, (i) => ipAt(this.range, i + 2), ownerOf(svc), dryRun);
    if (ip === undefined) throw internalError(new Error('failed to allocate a serviceIP: range is full'));
    if (!dryRun) taken.push({ set: this.ips, value: ip });
    return ip;
  }

  private async assignNodePorts(svc: KubeObject, spec: JsonObject, held: Set<number>, taken: Taken, dryRun: boolean): Promise<void> {
    const owner = ownerOf(svc);
    const name = svc.metadata.name ?? '';
    if (needsNodePorts(spec)) {
      const used = new Set<number>();
      const ports = objectsAt(spec, 'ports');
      for (const [i, port] of ports.entries()) {
        const np = port.nodePort;
        if (typeof np !== 'number' || np === 0) continue;
        if (held.has(np) || used.has(np)) {
          used.add(np);
          continue;
        }
        await this.claimPort(name, `spec.ports[${i}].nodePort`, np, owner, taken, dryRun);
        used.add(np);
      }
      for (const port of ports) {
        if (typeof port.nodePort === 'number' && port.nodePort !== 0) continue;
        port.nodePort = await this.allocatePort(owner, taken, dryRun);
      }
    }
    if (needsHealthCheckNodePort(spec)) {
      const hc = spec.healthCheckNodePort;
      if (typeof hc === 'number' && hc !== 0) {
        if (!held.has(hc)) await this.claimPort(name, 'spec.healthCheckNodePort', hc, owner, taken, dryRun);
      } else {
        spec.healthCheckNodePort = await this.allocatePort(owner, taken, dryRun);
      }
    }
  }

  private async claimPort(name: string, field: string, port: number, owner: string, taken: Taken, dryRun: boolean): Promise<void> {
    const fail = (message: string): Error =>
      invalid({ group: '', kind: 'Service' }, name, [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${port}: ${message}` }]);
    if (!Number.isInteger(port) || port < this.ports.low || port > this.ports.high) {
      throw fail(`provided port is not in the valid range. The range of valid ports is ${formatPortRange(this.ports)}`);
    }
    const ok = dryRun ? await this.nodePorts.isFree(String(port)) : await this.nodePorts.claim(String(port), owner);
    if (!ok) throw fail('provided port is already allocated');
    if (!dryRun) taken.push({ set: this.nodePorts, value: String(port) });
  }

  private async allocatePort(owner: string, taken: Taken, dryRun: boolean): Promise<number> {
    const count = this.ports.high - this.ports.low + 1;
    const value = await this.search(this.nodePorts, count, (i) => String(this.ports.low + i), owner, dryRun);
    if (value === undefined) throw internalError(new Error('failed to allocate a nodePort: range is full'));
    if (!dryRun) taken.push({ set: this.nodePorts, value });
    return Number(value);
  }

  /** A free value from a random starting point; a second pass rereads the claims first. */
  private async search(set: ClaimSet, count: number, valueAt: (i: number) => string, owner: string, dryRun: boolean): Promise<string | undefined> {
    const start = Math.floor(this.random() * count);
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < count; i++) {
        const value = valueAt((start + i) % count);
        if (set.probablyTaken(value)) continue;
        if (dryRun ? await set.isFree(value) : await set.claim(value, owner)) return value;
      }
      await set.load();
    }
    return undefined;
  }

  /** Releases what `owner` holds (a claim someone else holds now stays). */
  private async releaseAll(values: Taken, owner: string): Promise<void> {
    for (const { set, value } of values) {
      try {
        await set.release(value, owner);
      } catch (err) {
        // Left as a claim without a Service: the next start's repair releases it.
        this.deps.log.warn('releasing a service allocation failed', { value, error: errorMessage(err) });
      }
    }
  }
}

function specOf(svc: KubeObject): JsonObject {
  if (isJsonObject(svc.spec)) return svc.spec;
  const spec: JsonObject = {};
  svc.spec = spec;
  return spec;
}

function ownerOf(svc: KubeObject): string {
  return `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
}

/** An update that leaves a port's nodePort out keeps the one the port had (matched by name, else port and protocol). */
function keepOldNodePorts(spec: JsonObject, oldSpec: JsonObject): void {
  const oldPorts = objectsAt(oldSpec, 'ports');
  const ports = objectsAt(spec, 'ports');
  if (!needsNodePorts(spec)) {
    // Changing the type away from NodePort drops the node ports it had (upstream's dropTypeDependentFields).
    const old = new Set(oldPorts.map((p) => p.nodePort));
    for (const p of ports) if (old.has(p.nodePort)) delete p.nodePort;
    if (!needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
    return;
  }
  for (const p of ports) {
    if (typeof p.nodePort === 'number' && p.nodePort !== 0) continue;
    const match =
      oldPorts.find((o) => typeof o.name === 'string' && o.name !== '' && o.name === p.name) ??
      oldPorts.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
    if (match !== undefined && typeof match.nodePort === 'number') p.nodePort = match.nodePort;
  }
  if (needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === undefined && typeof oldSpec.healthCheckNodePort === 'number') {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}
