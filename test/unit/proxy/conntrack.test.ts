import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conntrackArgs, deleteStaleConntrack, staleConntrackDeletions } from '../../../src/proxy/conntrack.js';
import type { PortChange } from '../../../src/proxy/tracker/types.js';
import { RecordingExec, ep, silentLog, svcPort } from './fakes.js';

const udp = svcPort({ name: 'dns', portName: 'dns', protocol: 'UDP', port: 53, externalIPs: ['1.2.3.4'] });
const tcp = svcPort({ name: 'web' });

function changes(...list: Array<[string, PortChange]>): Map<string, PortChange> {
  return new Map(list);
}

test('removed or no-longer-serving UDP endpoints: flows from every service IP to them', () => {
  const got = staleConntrackDeletions(
    changes(['k', { previous: { svc: udp, endpoints: [ep('10.0.0.1'), ep('10.0.0.2'), ep('10.0.0.3', { ready: false, serving: false })] }, current: { svc: udp, endpoints: [ep('10.0.0.2', { ready: false, serving: false })] } }]),
  );
  assert.deepEqual(got.map(conntrackArgs).map((a) => a.join(' ')), [
    '-D --orig-dst 10.96.0.10 --dst-nat 10.0.0.1 -p udp',
    '-D --orig-dst 1.2.3.4 --dst-nat 10.0.0.1 -p udp',
    '-D --orig-dst 10.96.0.10 --dst-nat 10.0.0.2 -p udp',
    '-D --orig-dst 1.2.3.4 --dst-nat 10.0.0.2 -p udp',
  ]);
});

test('TCP changes need no conntrack work; deleted UDP service clears its cluster IP', () => {
  assert.deepEqual(staleConntrackDeletions(changes(['t', { previous: { svc: tcp, endpoints: [ep('10.0.0.1')] }, current: { svc: tcp, endpoints: [] } }])), []);
  assert.deepEqual(staleConntrackDeletions(changes(['u', { previous: { svc: udp, endpoints: [ep('10.0.0.1')] }, current: undefined }])), [{ kind: 'dst', ip: '10.96.0.10' }]);
});

test('a UDP service that gains its first serving endpoint clears flows to its IPs', () => {
  const got = staleConntrackDeletions(changes(['u', { previous: { svc: udp, endpoints: [] }, current: { svc: udp, endpoints: [ep('10.0.0.1')] } }]));
  assert.deepEqual(got, [{ kind: 'dst', ip: '10.96.0.10' }, { kind: 'dst', ip: '1.2.3.4' }]);
  // already serving before: nothing
  assert.deepEqual(staleConntrackDeletions(changes(['u', { previous: { svc: udp, endpoints: [ep('10.0.0.1')] }, current: { svc: udp, endpoints: [ep('10.0.0.1'), ep('10.0.0.2')] } }])), []);
});

test('"0 flow entries" is success; other failures are counted, not thrown', async () => {
  const exec = new RecordingExec();
  exec.result = { stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n', code: 1, signal: null };
  assert.equal(await deleteStaleConntrack({ exec, log: silentLog }, [{ kind: 'dst', ip: '10.96.0.10' }]), 0);
  exec.result = { stdout: '', stderr: 'conntrack: Operation not permitted', code: 1, signal: null };
  assert.equal(await deleteStaleConntrack({ exec, log: silentLog }, [{ kind: 'dst', ip: '10.96.0.10' }, { kind: 'dport', port: 30053 }]), 2);
  assert.deepEqual(exec.calls.at(-1), { file: 'conntrack', args: ['-D', '-p', 'udp', '--dport', '30053'] });
});
