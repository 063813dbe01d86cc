import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import YAML from 'yaml';
import { isNodeletError, ErrorCode } from '../../../../src/base/errors.js';
import { buildConfig, defaultAdvertiseAddress, parsePortRange, parseServiceCidr, type ApiserverFlags } from '../../../../src/apiserver/config.js';
import { buildKubeconfig, serverUrl } from '../../../../src/apiserver/kubeconfig.js';

const noInterfaces = (): NodeJS.Dict<never[]> => ({});
const build = (flags: ApiserverFlags) => buildConfig({ logFormat: 'json', ...flags }, { networkInterfaces: noInterfaces, cwd: '/work' });

function rejects(flags: ApiserverFlags, want: RegExp): void {
  assert.throws(() => build(flags), (err) => isNodeletError(err, ErrorCode.InvalidConfig) && want.test(err.message), JSON.stringify(flags));
}

test('defaults follow upstream and the config is frozen', () => {
  const c = build({});
  assert.equal(c.dataDir, '/var/lib/nodelet/apiserver');
  assert.equal(c.bindAddress, '0.0.0.0');
  assert.equal(c.securePort, 6443);
  assert.equal(c.advertiseAddress, '127.0.0.1');
  assert.equal(c.serviceClusterIPRange, '10.96.0.0/12');
  assert.equal(c.firstServiceIP, '10.96.0.1');
  assert.equal(c.serviceNodePortRange, '30000-32767');
  assert.deepEqual(c.etcdServers, []);
  assert.equal(c.etcdPrefix, '/registry');
  assert.equal(c.tokenAuthFile, undefined);
  assert.equal(c.logLevel, 'info');
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.etcdServers));
});

test('flags are parsed, paths resolved against the working directory', () => {
  const c = build({
    dataDir: 'data',
    bindAddress: '127.0.0.1',
    securePort: '16443',
    advertiseAddress: '192.0.2.4',
    serviceClusterIpRange: '10.0.0.7/24',
    serviceNodePortRange: '31000-31010',
    etcdServers: 'http://127.0.0.1:2379, https://etcd-2:2379',
    tokenAuthFile: '/etc/tokens.csv',
    writeKubeconfig: 'admin.kubeconfig',
    logLevel: 'debug',
  });
  assert.equal(c.dataDir, '/work/data');
  assert.equal(c.securePort, 16443);
  assert.equal(c.serviceClusterIPRange, '10.0.0.0/24', 'normalized to the network address');
  assert.equal(c.firstServiceIP, '10.0.0.1');
  assert.deepEqual(c.etcdServers, ['http://127.0.0.1:2379', 'https://etcd-2:2379']);
  assert.equal(c.tokenAuthFile, '/etc/tokens.csv');
  assert.equal(build({ etcdServers: 'http://e:2379', etcdCafile: 'ca.pem' }).etcdCAFile, '/work/ca.pem');
  assert.equal(c.writeKubeconfig, '/work/admin.kubeconfig');
  assert.equal(c.logLevel, 'debug');
});

test('bad values are refused naming the flag', () => {
  rejects({ serviceClusterIpRange: '10.96.0.0' }, /--service-cluster-ip-range="10.96.0.0": must be an IPv4 CIDR/);
  rejects({ serviceClusterIpRange: '10.300.0.0/12' }, /--service-cluster-ip-range/);
  rejects({ serviceClusterIpRange: '10.96.0.0/31' }, /--service-cluster-ip-range.*prefix length/);
  rejects({ serviceClusterIpRange: 'fd00::/108' }, /--service-cluster-ip-range.*only an IPv4 range/);
  rejects({ serviceNodePortRange: '32767-30000' }, /--service-node-port-range="32767-30000"/);
  rejects({ serviceNodePortRange: '30000' }, /--service-node-port-range/);
  rejects({ serviceNodePortRange: '0-100' }, /--service-node-port-range/);
  rejects({ logFormat: 'xml' }, /--log-format="xml": must be "text" or "json"/);
  rejects({ logLevel: 'loud' }, /--log-level="loud": must be one of error, warn, info/);
  rejects({ securePort: '70000' }, /--secure-port="70000"/);
  rejects({ securePort: '64x' }, /--secure-port/);
  rejects({ bindAddress: 'localhost' }, /--bind-address="localhost": must be an IP address/);
  rejects({ advertiseAddress: '0.0.0.0' }, /--advertise-address/);
  rejects({ etcdServers: '127.0.0.1:2379' }, /--etcd-servers="127.0.0.1:2379"/);
  rejects({ etcdPrefix: 'registry' }, /--etcd-prefix/);
  rejects({ tlsCertFile: '/a.crt' }, /--tls-cert-file and --tls-private-key-file must be given together/);
  rejects({ etcdServers: 'http://127.0.0.1:2379', etcdCertfile: '/c.crt' }, /--etcd-certfile and --etcd-keyfile must be given together/);
  rejects({ etcdCafile: '/ca.crt' }, /need --etcd-servers/);
  rejects({ dataDir: ' ' }, /--data-dir=" ": must not be empty/);
});

test('every bad flag is reported at once', () => {
  assert.throws(() => build({ securePort: '0', logFormat: 'xml', serviceNodePortRange: 'x' }), (err) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, /--secure-port/);
    assert.match(err.message, /--log-format/);
    assert.match(err.message, /--service-node-port-range/);
    return true;
  });
});

test('the default advertise address is the first external IPv4', () => {
  const iface = (address: string, family: 'IPv4' | 'IPv6', internal: boolean): os.NetworkInterfaceInfo =>
    family === 'IPv4' ? { address, family, internal, netmask: '', mac: '', cidr: null } : { address, family, internal, netmask: '', mac: '', cidr: null, scopeid: 0 };
  assert.equal(defaultAdvertiseAddress(() => ({ lo: [iface('127.0.0.1', 'IPv4', true)], eth0: [iface('fe80::1', 'IPv6', false), iface('192.0.2.7', 'IPv4', false)] })), '192.0.2.7');
  assert.equal(defaultAdvertiseAddress(() => ({ lo: [iface('127.0.0.1', 'IPv4', true)] })), '127.0.0.1');
});

test('CIDR and port range helpers', () => {
  assert.deepEqual(parseServiceCidr('10.96.0.0/12'), { cidr: '10.96.0.0/12', firstIP: '10.96.0.1' });
  assert.deepEqual(parseServiceCidr('192.168.255.77/30'), { cidr: '192.168.255.76/30', firstIP: '192.168.255.77' });
  assert.deepEqual(parsePortRange('1-65535'), { low: 1, high: 65535 });
  assert.equal(parsePortRange('1-65536'), undefined);
});

test('the admin kubeconfig names the server, embeds the CA and the token, and sets a current context', () => {
  const text = buildKubeconfig({ server: 'https://127.0.0.1:6443', caPem: '-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n', token: 'tok' });
  const doc: unknown = YAML.parse(text);
  assert.deepEqual(doc, {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: 'nodelet', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n').toString('base64') } }],
    users: [{ name: 'admin', user: { token: 'tok' } }],
    contexts: [{ name: 'admin@nodelet', context: { cluster: 'nodelet', user: 'admin' } }],
    'current-context': 'admin@nodelet',
  });
  assert.equal(serverUrl({ bindAddress: '0.0.0.0', advertiseAddress: '192.0.2.1', port: 6443 }), 'https://127.0.0.1:6443');
  assert.equal(serverUrl({ bindAddress: '192.0.2.1', advertiseAddress: '192.0.2.1', port: 1 }), 'https://192.0.2.1:1');
  assert.equal(serverUrl({ bindAddress: '::', advertiseAddress: '192.0.2.1', port: 1 }), 'https://[::1]:1');
});
