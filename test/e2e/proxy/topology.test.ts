// The traffic tests' network itself, without any proxy rules: the client and the node reach every
// endpoint directly (routing through the node works), each endpoint's servers answer with its name,
// and a closed port is refused (what "no endpoints" must look like once the proxy rejects).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENDPOINT_HTTP_PORT, ENDPOINT_UDP_PORT, startProxyTopology, type ProxyTopology } from '../../harness/proxy-topology.js';

describe('proxy topology', { timeout: 120_000 }, () => {
  let topo: ProxyTopology;
  before(async () => {
    topo = await startProxyTopology();
  }, { timeout: 60_000 });
  after(() => topo?.dispose(), { timeout: 60_000 });

  test('client and node reach each endpoint by its pod IP, over TCP and UDP', async () => {
    for (const ep of topo.endpoints) {
      for (const from of ['client', 'node'] as const) {
        const r = await topo.httpGet(from, ep.ip, ENDPOINT_HTTP_PORT);
        assert.deepEqual(r, { ok: true, body: `${ep.name}\n` }, `${from} -> ${ep.name}`);
        assert.equal(await topo.udpRequest(from, ep.ip, ENDPOINT_UDP_PORT, 40000), ep.name, `udp ${from} -> ${ep.name}`);
      }
    }
  });

  test('a closed port is refused at once', async () => {
    const ep = topo.endpoints[0];
    assert.ok(ep);
    const r = await topo.httpGet('client', ep.ip, 81);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.refused && !r.timedOut, JSON.stringify(r));
  });
});
