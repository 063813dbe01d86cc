import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerHash } from '../../../../src/agent/runtime-config/hash.js';
import type { Container } from '../../../../src/api/pod-types.js';

// Like upstream kubecontainer.HashContainer: a change that needs a restart changes the hash.
test('containerHash is stable across key order and empty fields', () => {
  const a: Container = { name: 'app', image: 'img', command: ['sh', '-c'], env: [{ name: 'A', value: '1' }] };
  const b = JSON.parse('{"env":[{"value":"1","name":"A"}],"command":["sh","-c"],"image":"img","name":"app","ports":[],"workingDir":""}') as Container;
  assert.match(containerHash(a), /^[0-9a-f]{16}$/);
  assert.equal(containerHash(a), containerHash(b));
});

test('containerHash changes with the spec but not with resources', () => {
  const base: Container = { name: 'app', image: 'img', args: ['a', ''] };
  const h = containerHash(base);
  const changed: Array<[string, Container]> = [
    ['image', { ...base, image: 'img2' }],
    ['args', { ...base, args: ['a'] }],
    ['arg order', { ...base, args: ['', 'a'] }],
    ['env', { ...base, env: [{ name: 'X', value: 'y' }] }],
    ['runAsUser 0', { ...base, securityContext: { runAsUser: 0 } }],
    ['tty', { ...base, tty: true }],
  ];
  for (const [name, c] of changed) assert.notEqual(containerHash(c), h, name);
  assert.equal(containerHash({ ...base, resources: { limits: { cpu: '1' } } }), h);
});
