import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeClient } from '../../../src/api/client/types.js';
import type { KubeObject } from '../../../src/api/object.js';
import { NodeletError } from '../../../src/base/errors.js';
import { cleanupAll, createBackend, discoverNodeIPs, hostIPv4s } from '../../../src/proxy/main.js';
import { RecordingExec, silentLog } from './fakes.js';

function clientReturning(get: () => Promise<KubeObject>): KubeClient {
  const no = (): never => {
    throw new Error('not used');
  };
  return { server: 'https://fake', get, list: no, create: no, update: no, patch: no, delete: no, watch: no, close: () => undefined };
}

test('createBackend picks the backend by mode', () => {
  const exec = new RecordingExec();
  assert.equal(createBackend('iptables', { exec, log: silentLog }).mode, 'iptables');
  assert.equal(createBackend('nftables', { exec, log: silentLog }).mode, 'nftables');
});

test('cleanupAll runs both modes\' cleanup through Exec', async () => {
  const exec = new RecordingExec();
  await cleanupAll({ exec, log: silentLog });
  const tools = new Set(exec.calls.map((c) => c.file));
  assert.ok([...tools].some((t) => t.startsWith('iptables')), [...tools].join(','));
  assert.ok(tools.has('nft'), [...tools].join(','));
});

test('node IPs: the Node\'s IPv4 InternalIPs, else the host\'s; a specific bindAddress wins', async () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: 'fd00::2' }, { type: 'InternalIP', address: '192.168.9.2' }] } } as KubeObject;
  assert.deepEqual(await discoverNodeIPs({ client: clientReturning(() => Promise.resolve(node)), log: silentLog }, 'n1', '0.0.0.0'), ['192.168.9.2']);
  const failing = clientReturning(() => Promise.reject(new NodeletError('NotFound', 'nodes "n1" not found')));
  assert.deepEqual(await discoverNodeIPs({ client: failing, log: silentLog }, 'n1', '0.0.0.0'), hostIPv4s());
  assert.deepEqual(await discoverNodeIPs({ client: failing, log: silentLog }, 'n1', '10.1.2.3'), ['10.1.2.3']);
});
