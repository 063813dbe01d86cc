// Service IP and node port allocation on an in-memory store: ranges, claims, exhaustion, release,
// repair of leaked claims at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { createLogger } from '../../../src/base/log.js';
import { ObjectStore } from '../../../src/apiserver/registry/object-store.js';
import { ServiceAllocator, IP_CLAIMS_PREFIX } from '../../../src/apiserver/services/service-allocator.js';
import { firstIP, ipOffset, parseIPv4Range, parsePortRange } from '../../../src/apiserver/services/ranges.js';
import { ApiError } from '../../../src/apiserver/status.js';
import { MemoryStore } from './memory-store.js';

const log = createLogger({ level: 'error', format: 'text' });

function allocator(store: MemoryStore, now = 1_000_000): ServiceAllocator {
  return new ServiceAllocator({
    store,
    objects: new ObjectStore({ store }),
    clock: { now: () => now, sleep: () => Promise.resolve() },
    log,
    clusterIPRange: '10.0.0.0/29',
    nodePortRange: '30000-30001',
    random: () => 0,
  });
}

function svc(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'd' }, spec: { ports: [{ port: 80 }], ...spec } } as KubeObject;
}

function specOf(o: KubeObject): Record<string, unknown> {
  return o.spec as Record<string, unknown>;
}

test('ranges: normalization, usable offsets, the first address', () => {
  const r = parseIPv4Range('10.96.3.4/12');
  assert.equal(r.cidr, '10.96.0.0/12');
  assert.equal(firstIP(r), '10.96.0.1');
  assert.equal(ipOffset(r, '10.96.0.0'), undefined, 'network');
  assert.equal(ipOffset(r, '10.111.255.255'), undefined, 'broadcast');
  assert.equal(ipOffset(r, '10.111.255.254'), r.size - 2);
  assert.equal(ipOffset(r, '10.112.0.1'), undefined);
  assert.throws(() => parseIPv4Range('fd00::/108'));
  assert.deepEqual(parsePortRange('30000-32767'), { low: 30000, high: 32767 });
  assert.throws(() => parsePortRange('5-1'));
});

test('dynamic IPs skip the first address; explicit ones are claimed once; exhaustion is 500', async () => {
  const store = new MemoryStore();
  const a = allocator(store);
  await a.start();
  const kube = svc('kubernetes', { clusterIP: '10.0.0.1' });
  await a.beforeCreate(kube, false);
  const got: string[] = [];
  for (let i = 0; i < 5; i++) {
    const s = svc(`s${i}`);
    await a.beforeCreate(s, false);
    got.push(String(specOf(s).clusterIP));
  }
  assert.deepEqual(got.sort(), ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  await assert.rejects(a.beforeCreate(svc('full'), false), (e: unknown) => e instanceof ApiError && e.code === 500);
  await assert.rejects(a.beforeCreate(svc('dup', { clusterIP: '10.0.0.3' }), false), (e: unknown) => e instanceof ApiError && e.code === 422);
  await a.afterDelete({ ...svc('s0'), spec: { clusterIP: got[0] } } as KubeObject);
  const again = svc('again');
  await a.beforeCreate(again, false);
  assert.equal(specOf(again).clusterIP, got[0]);
});

test('undo releases what a failed create claimed; node ports likewise', async () => {
  const store = new MemoryStore();
  const a = allocator(store);
  await a.start();
  const s = svc('np', { type: 'NodePort', ports: [{ port: 80 }, { port: 81 }] });
  const undo = await a.beforeCreate(s, false);
  const ports = specOf(s).ports as Array<Record<string, unknown>>;
  assert.deepEqual(ports.map((p) => p.nodePort).sort(), [30000, 30001]);
  await assert.rejects(a.beforeCreate(svc('np2', { type: 'NodePort' }), false), (e: unknown) => e instanceof ApiError && e.code === 500);
  await undo();
  const t = svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] });
  await a.beforeCreate(t, false);
  assert.equal((specOf(t).ports as Array<Record<string, unknown>>)[0]?.nodePort, 30001);
});

test('start releases old claims no Service holds and records Services without claims', async () => {
  const store = new MemoryStore();
  await store.create(`${IP_CLAIMS_PREFIX}10.0.0.5`, JSON.stringify({ owner: 'd/ghost', at: 0 }));
  await store.create(`${IP_CLAIMS_PREFIX}10.0.0.6`, JSON.stringify({ owner: 'd/fresh', at: 999_990 }));
  const objects = new ObjectStore({ store });
  const services = (await import('../../../src/apiserver/resources.js')).findResource('', 'v1', 'services');
  assert.ok(services !== undefined);
  await objects.create(services, svc('held', { clusterIP: '10.0.0.4' }));
  const a = allocator(store);
  await a.start();
  assert.equal(await store.get(`${IP_CLAIMS_PREFIX}10.0.0.5`), undefined, 'a leaked claim is released');
  assert.notEqual(await store.get(`${IP_CLAIMS_PREFIX}10.0.0.6`), undefined, 'a young claim may be a create in flight');
  assert.notEqual(await store.get(`${IP_CLAIMS_PREFIX}10.0.0.4`), undefined, 'a held address gets its claim');
});
