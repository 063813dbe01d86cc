import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/object.js';
import { isNodeletError } from '../../../src/base/errors.js';
import { parseEndpointSlice } from '../../../src/proxy/tracker/parse-slice.js';
import { parseService } from '../../../src/proxy/tracker/parse-service.js';
import { ProxyTracker } from '../../../src/proxy/tracker/tracker.js';
import { sep, slice, svcPort, trackedService } from './fakes.js';

function service(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns', name: 's' }, spec, status } as KubeObject;
}

test('parseService: one ServicePort per port with upstream defaults', () => {
  const svc = parseService(
    service({
      type: 'NodePort',
      clusterIP: '10.96.1.1',
      clusterIPs: ['10.96.1.1'],
      ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }],
      externalIPs: ['1.2.3.4', 'fd00::1'],
      sessionAffinity: 'ClientIP',
      externalTrafficPolicy: 'Local',
      internalTrafficPolicy: 'Cluster',
    }),
  );
  assert.equal(svc.ports.length, 2);
  const [http, dns] = svc.ports;
  assert.deepEqual(http?.key, { namespace: 'ns', name: 's', port: 'http', protocol: 'TCP' });
  assert.equal(http?.nodePort, 30080);
  assert.equal(http?.clusterIP, '10.96.1.1');
  assert.deepEqual(http?.externalIPs, ['1.2.3.4']);
  assert.equal(http?.affinityTimeoutSeconds, 10800);
  assert.equal(http?.externalPolicyLocal, true);
  assert.equal(http?.internalPolicyLocal, false);
  assert.equal(dns?.key.protocol, 'UDP');
  assert.equal(dns?.nodePort, 0);
});

test('parseService: headless, ExternalName and IPv6-only services have no ports', () => {
  for (const spec of [
    { clusterIP: 'None', ports: [{ port: 80 }] },
    { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] },
    { clusterIP: 'fd00::10', clusterIPs: ['fd00::10'], ports: [{ port: 80 }] },
    { ports: [{ port: 80 }] },
  ]) {
    assert.deepEqual(parseService(service(spec)).ports, [], JSON.stringify(spec));
  }
});

test('parseService: dual-stack picks IPv4; externalTrafficPolicy Local only counts when reachable from outside', () => {
  const svc = parseService(service({ clusterIPs: ['fd00::1', '10.96.0.5'], ports: [{ port: 80 }], externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }));
  assert.equal(svc.ports[0]?.clusterIP, '10.96.0.5');
  assert.equal(svc.ports[0]?.externalPolicyLocal, false);
  assert.equal(svc.ports[0]?.affinityTimeoutSeconds, 60);
  assert.equal(svc.ports[0]?.key.port, '');
});

test('parseService: LoadBalancer ingress IPs (VIP mode), source ranges', () => {
  const svc = parseService(
    service(
      { type: 'LoadBalancer', clusterIP: '10.96.0.7', ports: [{ port: 443, nodePort: 31443 }], loadBalancerSourceRanges: [' 192.168.0.0/16 ', '2001:db8::/32'] },
      { loadBalancer: { ingress: [{ ip: '5.6.7.8' }, { ip: '5.6.7.9', ipMode: 'Proxy' }, { hostname: 'lb.example.com' }] } },
    ),
  );
  assert.deepEqual(svc.ports[0]?.loadBalancerIPs, ['5.6.7.8']);
  assert.deepEqual(svc.ports[0]?.loadBalancerSourceRanges, ['192.168.0.0/16']);
  assert.equal(svc.ports[0]?.type, 'LoadBalancer');
});

test('parseService: malformed ports and protocols are InvalidArgument', () => {
  assert.throws(() => parseService(service({ clusterIP: '10.96.0.1', ports: [{ port: 0 }] })), (e: unknown) => isNodeletError(e, 'InvalidArgument'));
  assert.throws(() => parseService(service({ clusterIP: '10.96.0.1', ports: [{ port: 80, protocol: 'ICMP' }] })), (e: unknown) => isNodeletError(e, 'InvalidArgument'));
});

test('parseEndpointSlice: condition defaults, IPv4 only, first address, trigger time', () => {
  const obj = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'ns', name: 's-abc', labels: { 'kubernetes.io/service-name': 's' }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-11-29T07:00:00Z' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }, { name: 'noport' }],
    endpoints: [
      { addresses: ['10.0.0.1', '10.0.0.99'], nodeName: 'n1' },
      { addresses: ['10.0.0.2'], conditions: { ready: false } },
      { addresses: ['10.0.0.3'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: [] },
    ],
  } as unknown as KubeObject;
  const s = parseEndpointSlice(obj);
  assert.ok(s);
  assert.equal(s.serviceName, 's');
  assert.deepEqual(s.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
  assert.deepEqual(s.endpoints, [
    { ip: '10.0.0.1', ready: true, serving: true, terminating: false, nodeName: 'n1' },
    { ip: '10.0.0.2', ready: false, serving: false, terminating: false },
    { ip: '10.0.0.3', ready: false, serving: true, terminating: true },
  ]);
  assert.equal(s.triggerTimeMs, Date.parse('2026-11-29T07:00:00Z'));
  const v6 = parseEndpointSlice({ ...obj, addressType: 'IPv6' } as KubeObject);
  assert.deepEqual(v6?.endpoints, []);
  const orphan = parseEndpointSlice({ ...obj, metadata: { namespace: 'ns', name: 'x' } } as KubeObject);
  assert.equal(orphan, undefined);
});

test('tracker merges slices by port name and protocol, dedupes, marks local endpoints', () => {
  const t = new ProxyTracker({ nodeName: 'me' });
  t.serviceUpserted(trackedService('web', [svcPort({ name: 'web' }), svcPort({ name: 'web', portName: 'dns', protocol: 'UDP', port: 53 })]));
  t.sliceUpserted(slice('web', 'web-b', [sep('10.0.0.2'), sep('10.0.0.1')]));
  t.sliceUpserted(slice('web', 'web-a', [sep('10.0.0.1', { nodeName: 'me' }), sep('10.0.0.3')], [{ name: 'http', protocol: 'TCP', port: 8080 }, { name: 'dns', protocol: 'UDP', port: 5353 }]));
  const st = t.state();
  const http = st.get('default/web:http/tcp');
  assert.deepEqual(http?.endpoints.map((e) => `${e.ip}:${e.port}:${e.isLocal}`), ['10.0.0.1:8080:true', '10.0.0.2:8080:false', '10.0.0.3:8080:false']);
  const dns = st.get('default/web:dns/udp');
  assert.deepEqual(dns?.endpoints.map((e) => `${e.ip}:${e.port}`), ['10.0.0.1:5353', '10.0.0.3:5353']);
});

test('change tracker: previous kept across changes, no-ops dropped, onChange only when pending', () => {
  let calls = 0;
  const t = new ProxyTracker({ nodeName: 'me', onChange: () => calls++ });
  const web = trackedService('web', [svcPort({ name: 'web' })]);
  t.serviceUpserted(web);
  t.sliceUpserted(slice('web', 'web-1', [sep('10.0.0.1')]));
  assert.equal(calls, 2);
  let ch = t.takeChanges();
  assert.deepEqual([...ch.ports.keys()], ['default/web:http/tcp']);
  assert.equal(ch.ports.get('default/web:http/tcp')?.previous, undefined);
  assert.equal(ch.ports.get('default/web:http/tcp')?.current?.endpoints.length, 1);

  // add then remove an endpoint: back where it was, nothing pending
  const before = calls;
  t.sliceUpserted(slice('web', 'web-1', [sep('10.0.0.1'), sep('10.0.0.2')]));
  assert.equal(t.hasPendingChanges(), true);
  t.sliceUpserted(slice('web', 'web-1', [sep('10.0.0.1')]));
  assert.equal(t.hasPendingChanges(), false);
  assert.equal(calls, before + 1);
  assert.equal(t.takeChanges().ports.size, 0);

  // an unchanged update is not a change at all
  t.serviceUpserted({ ...web });
  assert.equal(t.hasPendingChanges(), false);

  // two changes: previous is the state before the first
  t.sliceUpserted(slice('web', 'web-1', [sep('10.0.0.1'), sep('10.0.0.2')]));
  t.sliceUpserted(slice('web', 'web-1', [sep('10.0.0.2')]));
  ch = t.takeChanges();
  const c = ch.ports.get('default/web:http/tcp');
  assert.deepEqual(c?.previous?.endpoints.map((e) => e.ip), ['10.0.0.1']);
  assert.deepEqual(c?.current?.endpoints.map((e) => e.ip), ['10.0.0.2']);

  // deleting the service: current undefined, state empty
  t.serviceDeleted('default', 'web');
  ch = t.takeChanges();
  assert.equal(ch.ports.get('default/web:http/tcp')?.current, undefined);
  assert.equal(t.state().size, 0);
});

test('change tracker: port removal and slice moving between services are tracked per key', () => {
  const t = new ProxyTracker({ nodeName: 'me' });
  t.serviceUpserted(trackedService('a', [svcPort({ name: 'a' }), svcPort({ name: 'a', portName: 'metrics', port: 9090 })]));
  t.serviceUpserted(trackedService('b', [svcPort({ name: 'b', clusterIP: '10.96.0.11' })]));
  const s1 = slice('a', 'x', [sep('10.0.0.1')]);
  t.sliceUpserted(s1);
  t.takeChanges();
  t.serviceUpserted(trackedService('a', [svcPort({ name: 'a' })]));
  const moved = slice('b', 'x', [sep('10.0.0.1')]);
  t.sliceUpserted(moved, s1);
  const ch = t.takeChanges();
  assert.deepEqual([...ch.ports.keys()].sort(), ['default/a:http/tcp', 'default/a:metrics/tcp', 'default/b:http/tcp']);
  assert.equal(ch.ports.get('default/a:metrics/tcp')?.current, undefined);
  assert.deepEqual(ch.ports.get('default/a:http/tcp')?.current?.endpoints, []);
  assert.deepEqual(ch.ports.get('default/b:http/tcp')?.current?.endpoints.map((e) => e.ip), ['10.0.0.1']);
});

test('change tracker: trigger times of new slice versions are returned once, dropped with no-op changes', () => {
  const t = new ProxyTracker({ nodeName: 'me', startTimeMs: 1000 });
  t.serviceUpserted(trackedService('web', [svcPort({ name: 'web' })]));
  t.takeChanges();
  t.sliceUpserted({ ...slice('web', 's', [sep('10.0.0.1')]), triggerTimeMs: 500 }); // before start: ignored
  t.sliceUpserted({ ...slice('web', 's', [sep('10.0.0.2')]), triggerTimeMs: 2000 });
  assert.deepEqual(t.takeChanges().triggerTimesMs, [2000]);
  t.sliceUpserted({ ...slice('web', 's', [sep('10.0.0.3')]), triggerTimeMs: 3000 });
  t.sliceUpserted({ ...slice('web', 's', [sep('10.0.0.2')]), triggerTimeMs: 4000 });
  assert.deepEqual(t.takeChanges().triggerTimesMs, []);
});
