import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, formatCidr, parseCidr } from '../../../../../src/apiserver/controllers/nodeipam/cidr-set.js';
import { cidrSets } from '../../../../../src/apiserver/controllers/nodeipam/controller.js';

test('a /16 with /24 nodes gives 256 distinct subnets in order, then none', () => {
  const set = new CidrSet('10.244.0.0/16', 24);
  assert.equal(set.size, 256);
  const got = Array.from({ length: 256 }, () => set.allocate());
  assert.equal(got[0], '10.244.0.0/24');
  assert.equal(got[255], '10.244.255.0/24');
  assert.equal(new Set(got).size, 256);
  assert.equal(set.allocate(), undefined);
});

test('occupied subnets are skipped; a released one is given again only after the others', () => {
  const set = new CidrSet('10.0.0.0/22', 24);
  assert.ok(set.occupy('10.0.1.0/24'));
  assert.equal(set.allocate(), '10.0.0.0/24');
  assert.equal(set.allocate(), '10.0.2.0/24');
  set.release('10.0.0.0/24');
  assert.equal(set.allocate(), '10.0.3.0/24');
  assert.equal(set.allocate(), '10.0.0.0/24');
  assert.equal(set.allocate(), undefined);
  assert.equal(set.allocated, 4);
});

test('CIDRs outside the range or of another size are not part of the set', () => {
  const set = new CidrSet('10.244.0.0/16', 24);
  assert.equal(set.occupy('10.245.0.0/24'), false);
  assert.equal(set.occupy('10.244.0.0/25'), false);
  assert.equal(set.occupy('fd00::/64'), false);
  assert.equal(set.allocated, 0);
});

test('IPv6 ranges and canonical formatting', () => {
  const set = new CidrSet('fd00:10::/56', 64);
  assert.equal(set.size, 256);
  assert.equal(set.allocate(), 'fd00:10::/64');
  assert.equal(set.allocate(), 'fd00:10:0:1::/64');
  assert.equal(formatCidr(parseCidr('10.1.2.3/8')), '10.0.0.0/8');
});

test('bad configuration is refused', () => {
  assert.throws(() => new CidrSet('10.0.0.0/8', 30), /more than 16 bits/);
  assert.throws(() => new CidrSet('10.0.0.0/24', 16), /does not fit/);
  assert.throws(() => parseCidr('10.0.0/24'), /invalid CIDR/);
  assert.throws(() => cidrSets({ clusterCIDR: '10.0.0.0/16,10.1.0.0/16' }), /one IPv4 and one IPv6/);
  assert.equal(cidrSets({}).length, 1);
  assert.equal(cidrSets({ clusterCIDR: '10.0.0.0/16, fd00::/48' }).length, 2);
});
