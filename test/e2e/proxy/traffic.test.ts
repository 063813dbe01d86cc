// e2e: `nodelet proxy` programs Service IPs in a node namespace, proven with real traffic from a client
// namespace and from the node itself to endpoint namespaces (test/harness/proxy-topology.ts), in
// iptables and in nftables mode. Services and EndpointSlices go through a real `nodelet apiserver`.
// Nothing here touches the machine's own network namespace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NODE_IP, startProxyTopology, type Origin, type ProxyTopology, type TopologyEndpoint } from '../../harness/proxy-topology.js';
import { serviceObject, sliceObject, startProxyNode, until, type ProxyMode, type ProxyNode } from './proxy-node.js';

const WEB = '10.250.200.10'; // NodePort 30080, three local endpoints
const STICKY = '10.250.200.11'; // ClientIP affinity
const MOVING = '10.250.200.12'; // TCP + UDP; one endpoint is removed
const EMPTY = '10.250.200.13'; // no endpoints
const REMOTE = '10.250.200.14'; // NodePort 30081, externalTrafficPolicy Local, endpoints on another node
const LOCAL_ONLY = '10.250.200.15'; // internalTrafficPolicy Local, one local endpoint of three
const UDP_SOURCE_PORT = 41000;

function names(eps: readonly TopologyEndpoint[]): string[] {
  return eps.map((e) => e.name).sort();
}

/** The distinct answers, sorted; a failed request shows as its error text. */
function distinct(bodies: readonly string[]): string[] {
  return [...new Set(bodies)].sort();
}

for (const mode of ['iptables', 'nftables'] as const satisfies readonly ProxyMode[]) {
  describe(`proxy traffic (${mode} mode)`, { timeout: 600_000 }, () => {
    let topo: ProxyTopology;
    let pn: ProxyNode;
    let eps: readonly TopologyEndpoint[];
    const ep = (i: number): TopologyEndpoint => {
      const e = eps[i];
      if (e === undefined) throw new Error(`no endpoint ${i}`);
      return e;
    };

    before(async () => {
      topo = await startProxyTopology({ endpoints: 3 });
      eps = topo.endpoints;
      pn = await startProxyNode(topo, mode);
      await pn.apply([
        serviceObject({ name: 'web', clusterIP: WEB, type: 'NodePort', nodePort: 30080 }),
        sliceObject('web', eps),
        serviceObject({ name: 'sticky', clusterIP: STICKY, affinity: true }),
        sliceObject('sticky', eps),
        serviceObject({ name: 'moving', clusterIP: MOVING, udp: true }),
        sliceObject('moving', eps, { udp: true }),
        serviceObject({ name: 'empty', clusterIP: EMPTY }),
        serviceObject({ name: 'remote', clusterIP: REMOTE, type: 'NodePort', nodePort: 30081, externalLocal: true }),
        sliceObject('remote', [ep(0), ep(1)], { remote: [ep(0).name, ep(1).name] }),
        serviceObject({ name: 'local-only', clusterIP: LOCAL_ONLY, internalLocal: true }),
        sliceObject('local-only', eps, { remote: [ep(1).name, ep(2).name] }),
      ]);
    }, { timeout: 180_000 });
    after(async () => {
      await pn?.dispose();
      await topo?.dispose();
    }, { timeout: 120_000 });

    const serving = (from: Origin, ip: string, port: number): Promise<string> =>
      until(`${ip}:${port} to answer from the ${from}`, async () => {
        const r = await topo.httpGet(from, ip, port, 2000);
        return r.ok ? r.body : undefined;
      }, () => pn.logs());

    test('a ClusterIP reaches every endpoint, from the node and from the client', async () => {
      for (const from of ['node', 'client'] as const) {
        await serving(from, WEB, 80);
        const bodies = await topo.httpGetMany(from, WEB, 80, 60);
        assert.deepEqual(distinct(bodies), names(eps), `${from}: ${bodies.join(',')}`);
      }
    });

    test('a NodePort on the node IP reaches every endpoint from the client', async () => {
      await serving('client', NODE_IP, 30080);
      const bodies = await topo.httpGetMany('client', NODE_IP, 30080, 60);
      assert.deepEqual(distinct(bodies), names(eps), bodies.join(','));
      // externalTrafficPolicy Cluster: node-port traffic is masqueraded (the endpoint answers the node).
      const flows = (await topo.conntrack('tcp', NODE_IP)).filter((e) => / dport=30080 /.test(e.line));
      assert.ok(flows.length > 0, 'node-port flows are in the node conntrack table');
      for (const f of flows) assert.notEqual(f.replyDst, f.origSrc, f.line);
    });

    test('ClientIP session affinity keeps each client on one endpoint', async () => {
      for (const from of ['client', 'node'] as const) {
        await serving(from, STICKY, 80);
        const bodies = await topo.httpGetMany(from, STICKY, 80, 30);
        assert.equal(distinct(bodies).length, 1, `${from}: ${bodies.join(',')}`);
        assert.ok(names(eps).includes(bodies[0] ?? ''), `${from}: ${bodies.join(',')}`);
      }
    });

    test('removing an endpoint moves traffic away and deletes its UDP conntrack entries', async () => {
      // TCP serving means this service's rules, UDP port included, are in place: the datagram is DNATed.
      await serving('client', MOVING, 80);
      const first = await until('a UDP answer', () => topo.udpRequest('client', MOVING, 90, UDP_SOURCE_PORT), () => pn.logs());
      const victim = eps.find((e) => e.name === first);
      assert.ok(victim, `UDP answer "${first}" names no endpoint`);
      const flow = (entries: Awaited<ReturnType<ProxyTopology['conntrack']>>): boolean =>
        entries.some((e) => e.origSport === UDP_SOURCE_PORT && e.replySrc === victim.ip);
      assert.ok(flow(await topo.conntrack('udp', MOVING)), 'the UDP flow is in the node conntrack table');

      const remaining = eps.filter((e) => e !== victim);
      await pn.apply([sliceObject('moving', remaining, { udp: true })]);
      // The entry would otherwise live 600 s (the topology's UDP timeout): only the proxy deletes it.
      await until('the flow\'s conntrack entry to be deleted', async () => (flow(await topo.conntrack('udp', MOVING)) ? undefined : true), () => pn.logs());

      const next = await topo.udpRequest('client', MOVING, 90, UDP_SOURCE_PORT);
      assert.ok(next !== undefined && names(remaining).includes(next), `same flow now answered by "${next}"`);
      const bodies = await topo.httpGetMany('client', MOVING, 80, 40);
      assert.deepEqual(distinct(bodies), names(remaining), bodies.join(','));
    });

    test('a service without endpoints is refused at once', async () => {
      for (const from of ['client', 'node'] as const) {
        const outcome = await until(`${EMPTY}:80 to be refused from the ${from}`, async () => {
          const r = await topo.httpGet(from, EMPTY, 80, 3000);
          return !r.ok && r.refused ? r : undefined;
        }, () => pn.logs(), 20);
        assert.ok(!outcome.ok && outcome.refused && !outcome.timedOut, JSON.stringify(outcome));
        assert.match(outcome.error, /refused/i);
      }
    });

    test('externalTrafficPolicy Local drops NodePort traffic without local endpoints; the ClusterIP still works', async () => {
      await serving('client', REMOTE, 80);
      const bodies = await topo.httpGetMany('client', REMOTE, 80, 30);
      assert.deepEqual(distinct(bodies), names([ep(0), ep(1)]), bodies.join(','));
      const viaNodePort = await topo.httpGet('client', NODE_IP, 30081, 3000);
      assert.ok(!viaNodePort.ok && viaNodePort.timedOut, `NodePort 30081 must be dropped: ${JSON.stringify(viaNodePort)}`);
    });

    test('internalTrafficPolicy Local keeps cluster traffic on the local endpoint', async () => {
      for (const from of ['client', 'node'] as const) {
        await serving(from, LOCAL_ONLY, 80);
        const bodies = await topo.httpGetMany(from, LOCAL_ONLY, 80, 30);
        assert.deepEqual(distinct(bodies), [ep(0).name], `${from}: ${bodies.join(',')}`);
      }
    });

    test('a clean shutdown leaves the rules in place; nodelet proxy --cleanup removes them all', async () => {
      await serving('node', WEB, 80);
      await pn.proxy.stop();
      assert.deepEqual(pn.proxy.running(), false);
      const still = await topo.httpGet('node', WEB, 80);
      assert.ok(still.ok, `after the proxy stopped: ${JSON.stringify(still)}`);

      const res = await pn.runProxyCommand(['--cleanup', '--log-format', 'json']);
      assert.equal(res.code, 0, res.stderr);
      const nat = await topo.nodeExec.run('iptables-save', []);
      assert.equal(nat.code, 0, nat.stderr);
      assert.doesNotMatch(nat.stdout, /KUBE-/, 'no KUBE- chains or rules after --cleanup');
      const tables = await topo.nodeExec.run('nft', ['list', 'tables']);
      assert.equal(tables.code, 0, tables.stderr);
      assert.doesNotMatch(tables.stdout, /nodelet/, 'no nodelet table after --cleanup');
      const gone = await topo.httpGet('node', WEB, 80, 2000);
      assert.ok(!gone.ok, `the ClusterIP must be gone with the rules: ${JSON.stringify(gone)}`);
    });
  });
}
