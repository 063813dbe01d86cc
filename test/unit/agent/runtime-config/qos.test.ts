import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qosClass } from '../../../../src/agent/runtime-config/qos.js';
import type { Container } from '../../../../src/api/pod-types.js';
import { makePod, withResources as r } from './fixtures.js';

// Cases after upstream pkg/apis/core/v1/helper/qos ComputePodQOS (qos_test.go).
test('qosClass follows ComputePodQOS', () => {
  const cases: Array<[string, Container[], Container[], string]> = [
    ['no resources', [r('a')], [], 'BestEffort'],
    ['zero requests', [r('a', undefined, { cpu: '0', memory: '0' })], [], 'BestEffort'],
    ['only other resources', [r('a', { 'ephemeral-storage': '1Gi' })], [], 'BestEffort'],
    ['limits only (requests default to limits)', [r('a', { cpu: '1', memory: '1Gi' })], [], 'Guaranteed'],
    ['equal requests and limits', [r('a', { cpu: '100m', memory: '64Mi' }, { cpu: '0.1', memory: '64Mi' })], [], 'Guaranteed'],
    ['two guaranteed containers', [r('a', { cpu: '1', memory: '1Gi' }), r('b', { cpu: '2', memory: '2Gi' })], [], 'Guaranteed'],
    ['request lower than limit', [r('a', { cpu: '1', memory: '1Gi' }, { cpu: '500m' })], [], 'Burstable'],
    ['cpu limit only', [r('a', { cpu: '1' })], [], 'Burstable'],
    ['request only', [r('a', undefined, { memory: '10Mi' })], [], 'Burstable'],
    ['one best-effort container makes it burstable', [r('a', { cpu: '1', memory: '1Gi' }), r('b')], [], 'Burstable'],
    ['init container counts', [r('a', { cpu: '1', memory: '1Gi' })], [r('i', undefined, { cpu: '1' })], 'Burstable'],
    ['guaranteed init container', [r('a', { cpu: '1', memory: '1Gi' })], [r('i', { cpu: '1', memory: '1Gi' })], 'Guaranteed'],
  ];
  for (const [name, containers, initContainers, want] of cases) {
    assert.equal(qosClass(makePod({ containers, initContainers })), want, name);
  }
});
