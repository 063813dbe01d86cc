import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDnsConfig, parseResolvConf } from '../../../../src/agent/runtime-config/dns.js';
import type { DnsPolicy, PodDnsConfig } from '../../../../src/api/pod-types.js';
import { makePod } from './fixtures.js';

const HOST = `# generated
nameserver 192.168.0.1
nameserver 8.8.8.8
search corp.example. lab.example .
options timeout:2 rotate
options timeout:3
`;
const CLUSTER = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: HOST };

// pkg/kubelet/network/dns parseResolvConf.
test('parseResolvConf: nameservers accumulate, last search wins, options merge by name', () => {
  assert.deepEqual(parseResolvConf(HOST), {
    nameservers: ['192.168.0.1', '8.8.8.8'],
    searches: ['corp.example', 'lab.example'],
    options: ['timeout:3', 'rotate'],
  });
  assert.deepEqual(parseResolvConf('search a\nsearch b c\nnameserver\n  # x\n'), { nameservers: [], searches: ['b', 'c'], options: [] });
});

// GetPodDNS / getPodDNSType.
test('buildDnsConfig by DNS policy (GetPodDNS)', () => {
  const clusterSearch = ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example'];
  const host = { servers: ['192.168.0.1', '8.8.8.8'], searches: ['corp.example', 'lab.example'], options: ['timeout:3', 'rotate'] };
  const cluster = { servers: ['10.96.0.10'], searches: clusterSearch, options: ['ndots:5'] };
  const cases: Array<[DnsPolicy | undefined, boolean, object]> = [
    [undefined, false, cluster],
    ['ClusterFirst', false, cluster],
    ['ClusterFirst', true, host],
    ['ClusterFirstWithHostNet', true, cluster],
    ['ClusterFirstWithHostNet', false, cluster],
    ['Default', false, host],
    ['None', false, { servers: [], searches: [], options: [] }],
  ];
  for (const [dnsPolicy, hostNetwork, want] of cases) {
    const pod = makePod(dnsPolicy === undefined ? { hostNetwork } : { dnsPolicy, hostNetwork });
    const got = buildDnsConfig(pod, CLUSTER);
    assert.deepEqual(got.dns, want, `${dnsPolicy} hostNetwork=${hostNetwork}`);
    assert.equal(got.warning, undefined);
  }
});

test('ClusterFirst without cluster DNS falls back to Default with a MissingClusterDNS warning', () => {
  const got = buildDnsConfig(makePod(), { ...CLUSTER, clusterDNS: [] });
  assert.deepEqual(got.dns.servers, ['192.168.0.1', '8.8.8.8']);
  assert.deepEqual(got.dns.searches, ['corp.example', 'lab.example']);
  assert.equal(got.warnings[0]?.reason, 'MissingClusterDNS');
  assert.equal(
    got.warning,
    'pod: "web_ns1(uid-1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
  );
});

test('an empty cluster domain leaves only the host searches (generateSearchesForDNSClusterFirst)', () => {
  const got = buildDnsConfig(makePod(), { ...CLUSTER, clusterDomain: '' });
  assert.deepEqual(got.dns.searches, ['corp.example', 'lab.example']);
});

test('no resolv.conf configured: Default uses 127.0.0.1 and search "."', () => {
  const got = buildDnsConfig(makePod({ dnsPolicy: 'Default' }), { ...CLUSTER, hostResolvConf: undefined });
  assert.deepEqual(got.dns, { servers: ['127.0.0.1'], searches: ['.'], options: [] });
});

// appendDNSConfig / mergeDNSOptions.
test('the pod dnsConfig is merged: servers and searches appended without duplicates, options override by name', () => {
  const dnsConfig: PodDnsConfig = {
    nameservers: ['1.1.1.1', '10.96.0.10'],
    searches: ['my.dns.search.suffix', 'svc.cluster.local'],
    options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
  };
  const got = buildDnsConfig(makePod({ dnsConfig }), CLUSTER);
  assert.deepEqual(got.dns, {
    servers: ['10.96.0.10', '1.1.1.1'],
    searches: ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'lab.example', 'my.dns.search.suffix'],
    options: ['ndots:2', 'edns0'],
  });
  const none = buildDnsConfig(makePod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['9.9.9.9'], options: [{ name: 'ndots', value: '1' }] } }), CLUSTER);
  assert.deepEqual(none.dns, { servers: ['9.9.9.9'], searches: [], options: ['ndots:1'] });
});

// formDNSNameserversFitsLimits / formDNSSearchFitsLimits.
test('limits: 3 nameservers, 32 search paths, 2048 characters, 253 per domain', () => {
  const servers = buildDnsConfig(makePod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3', '4.4.4.4'] } }), CLUSTER);
  assert.deepEqual(servers.dns.servers, ['1.1.1.1', '2.2.2.2', '3.3.3.3']);
  assert.equal(
    servers.warning,
    'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3',
  );

  const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
  const paths = buildDnsConfig(makePod({ dnsPolicy: 'None', dnsConfig: { searches: many } }), CLUSTER);
  assert.equal(paths.dns.searches?.length, 32);
  assert.equal(paths.warnings[0]?.reason, 'DNSConfigForming');
  assert.match(paths.warning ?? '', /^Search Line limits were exceeded, some search paths have been omitted, the applied search line is: d0\.example /);

  const long = Array.from({ length: 10 }, (_, i) => `${String(i).repeat(250)}`);
  const chars = buildDnsConfig(makePod({ dnsPolicy: 'None', dnsConfig: { searches: [...long, 'x'.repeat(254)] } }), CLUSTER);
  // 254-char domain dropped; 8 × 251 = 2008 ≤ 2048 < 9 × 251 - 1.
  assert.deepEqual(chars.dns.searches, long.slice(0, 8));
  assert.equal(chars.warnings.length, 1);
});
