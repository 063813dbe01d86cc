import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImagePuller } from '../../../src/agent/image-puller.js';
import type { Pod } from '../../../src/api/pod-types.js';
import { systemClock } from '../../../src/base/clock.js';
import type { Runtime } from '../../../src/cri/runtime.js';
import type { PodSandboxConfig } from '../../../src/cri/types.js';

const container: Pod['spec']['containers'][number] = { name: 'c', image: 'reg.local/app:1', imagePullPolicy: 'IfNotPresent' };
const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [container] } };
const sandboxConfig = {} as PodSandboxConfig;

/** Records, in order, the runtime calls, the events and the beforePull calls. */
function harness(present: boolean) {
  const log: string[] = [];
  const runtime = {
    imageStatus: async () => {
      log.push('ImageStatus');
      return present ? { id: 'sha256:1' } : null;
    },
    pullImage: async () => {
      log.push('PullImage');
      return 'sha256:2';
    },
  } as unknown as Runtime;
  const puller = new ImagePuller({ runtime, clock: systemClock, events: { event: (_p, _type, reason) => log.push(`event ${reason}`) } });
  return { log, ensure: () => puller.ensure(pod, container, sandboxConfig, undefined, () => log.push('beforePull')) };
}

test('a pull about to start is announced first (the worker reports ContainerCreating then)', async () => {
  const h = harness(false);
  assert.deepEqual(await h.ensure(), { ok: true, imageRef: 'sha256:2' });
  assert.deepEqual(h.log, ['ImageStatus', 'beforePull', 'event Pulling', 'PullImage', 'event Pulled']);
});

test('an image already present is not announced: no pull, no interim status', async () => {
  const h = harness(true);
  assert.deepEqual(await h.ensure(), { ok: true, imageRef: 'sha256:1' });
  assert.deepEqual(h.log, ['ImageStatus', 'event Pulled']);
});
