import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, endpointChain, hash16, probability, serviceChains } from '../../../../src/proxy/backends/iptables/names.js';

test('chain names match upstream kube-proxy hashes', () => {
  // Names seen on every kubeadm cluster.
  assert.equal(serviceChains('default/kubernetes:https', 'tcp').svc, 'KUBE-SVC-NPX46M4PTMTKRN6Y');
  assert.equal(serviceChains('kube-system/kube-dns:dns', 'udp').svc, 'KUBE-SVC-TCOU7JCQXEZGVUNU');
  assert.equal(serviceChains('kube-system/kube-dns:dns-tcp', 'tcp').svc, 'KUBE-SVC-ERIFXISQEP7F7OF4');
  const c = serviceChains('default/kubernetes:https', 'tcp');
  assert.equal(c.svl, 'KUBE-SVL-NPX46M4PTMTKRN6Y');
  assert.equal(c.ext, 'KUBE-EXT-NPX46M4PTMTKRN6Y');
  assert.equal(c.fw, 'KUBE-FW-NPX46M4PTMTKRN6Y');
  assert.match(endpointChain('default/kubernetes:https', 'tcp', '10.0.0.1:6443'), /^KUBE-SEP-[A-Z2-7]{16}$/);
  assert.notEqual(endpointChain('a/b:c', 'tcp', '10.0.0.1:80'), endpointChain('a/b:c', 'tcp', '10.0.0.2:80'));
  assert.equal(hash16('x').length, 16);
});

test('probabilities are formatted as %0.10f', () => {
  assert.equal(probability(2), '0.5000000000');
  assert.equal(probability(3), '0.3333333333');
  assert.equal(probability(5), '0.2000000000');
  assert.equal(probability(6), '0.1666666667');
});

test('cidrContains', () => {
  assert.equal(cidrContains('192.168.0.0/16', '192.168.1.10'), true);
  assert.equal(cidrContains('192.168.0.0/24', '192.168.1.10'), false);
  assert.equal(cidrContains('0.0.0.0/0', '1.2.3.4'), true);
  assert.equal(cidrContains('10.0.0.1', '10.0.0.1'), true);
  assert.equal(cidrContains('fd00::/8', '10.0.0.1'), false);
});
