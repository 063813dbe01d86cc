import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../../../src/api/pod-types.js';
import { mirrorPodFor, planMirrors } from '../../../../src/agent/mirror/mirror-plan.js';
import type { MirrorAction } from '../../../../src/agent/mirror/mirror-plan.js';

function staticPod(name: string, hash: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      uid: hash,
      labels: { tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.source': 'file', 'kubernetes.io/config.seen': 't' },
    },
    spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'img:1' }] },
  };
}

function mirror(name: string, hash: string, opts: { uid?: string; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      uid: opts.uid ?? `m-${name}`,
      annotations: { 'kubernetes.io/config.mirror': hash },
      ...(opts.deleting === true ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'img:1' }] },
  };
}

const show = (actions: MirrorAction[]): string[] =>
  actions.map((a) => (a.op === 'create' ? `create ${a.staticPod.metadata.name}` : `delete ${a.name} ${a.uid} (${a.reason})`));

describe('planMirrors', () => {
  const cases: Array<[string, Pod[], Pod[], string[]]> = [
    ['nothing', [], [], []],
    ['a missing mirror is created', [staticPod('a', 'h1')], [], ['create a']],
    ['a current mirror is kept', [staticPod('a', 'h1')], [mirror('a', 'h1')], []],
    ['an outdated mirror is replaced', [staticPod('a', 'h2')], [mirror('a', 'h1')], ['delete a m-a (outdated)', 'create a']],
    ['a terminating mirror is replaced', [staticPod('a', 'h1')], [mirror('a', 'h1', { deleting: true })], ['delete a m-a (terminating)', 'create a']],
    ['an orphaned mirror is deleted', [], [mirror('gone', 'h1')], ['delete gone m-gone (orphaned)']],
    [
      'a mix',
      [staticPod('a', 'h1'), staticPod('b', 'h2')],
      [mirror('a', 'h1'), mirror('c', 'h3')],
      ['create b', 'delete c m-c (orphaned)'],
    ],
  ];
  for (const [name, statics, mirrors, want] of cases) it(name, () => assert.deepEqual(show(planMirrors(statics, mirrors)), want));
});

describe('mirrorPodFor', () => {
  it('copies metadata and spec, adds config.mirror and the Node owner', () => {
    const pod = staticPod('a', 'h1');
    const m = mirrorPodFor(pod, { name: 'node-a', uid: 'node-uid' });
    assert.equal(m.metadata.uid, undefined, 'the apiserver assigns the mirror its own uid');
    assert.deepEqual(m, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'a',
        namespace: 'kube-system',
        labels: { tier: 'control-plane' },
        annotations: {
          'kubernetes.io/config.hash': 'h1',
          'kubernetes.io/config.source': 'file',
          'kubernetes.io/config.seen': 't',
          'kubernetes.io/config.mirror': 'h1',
        },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'node-a', uid: 'node-uid', controller: true }],
      },
      spec: { nodeName: 'node-a', containers: [{ name: 'c', image: 'img:1' }] },
    });
    assert.equal(pod.metadata.annotations?.['kubernetes.io/config.mirror'], undefined, 'the static pod is not modified');
  });
});
