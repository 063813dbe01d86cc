import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type EnvContext, type EnvWarning, resolveEnv } from '../../../../src/agent/runtime-config/env.js';
import type { PodObjects } from '../../../../src/agent/objects.js';
import type { ConfigMap, Container, Secret } from '../../../../src/api/pod-types.js';
import { isNodeletError } from '../../../../src/base/errors.js';
import { makePod } from './fixtures.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

class FakeObjects implements PodObjects {
  readonly calls: string[] = [];
  constructor(
    private readonly cms: Record<string, ConfigMap>,
    private readonly secrets: Record<string, Secret>,
  ) {}
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    this.calls.push(`cm ${namespace}/${name}`);
    return Promise.resolve(this.cms[`${namespace}/${name}`]);
  }
  secret(namespace: string, name: string): Promise<Secret | undefined> {
    this.calls.push(`secret ${namespace}/${name}`);
    return Promise.resolve(this.secrets[`${namespace}/${name}`]);
  }
}

function objects(): FakeObjects {
  return new FakeObjects(
    {
      'ns1/cfg': { metadata: { name: 'cfg' }, data: { MODE: 'prod', LEVEL: 'debug', 'bad key': 'x', '1ST': 'y' } },
      'ns1/other': { metadata: { name: 'other' }, data: { MODE: 'other' } },
    },
    { 'ns1/creds': { metadata: { name: 'creds' }, data: { PASSWORD: b64('s3cret'), TOKEN: b64('tok') } } },
  );
}

function ctx(objs: PodObjects, extra: Partial<EnvContext> = {}): EnvContext {
  return {
    objects: objs,
    hostIP: '192.168.1.10',
    podIPs: ['10.244.0.7'],
    nodeName: 'node-a',
    nodeAllocatable: { cpu: '4', memory: '8Gi' },
    ...extra,
  };
}

const toRecord = (kvs: Array<{ key: string; value: string }>) => kvs.map((kv) => `${kv.key}=${kv.value}`);

// Upstream kubelet_pods.go makeEnvironmentVariables (TestMakeEnvironmentVariables).
test('resolveEnv: envFrom, then env with expansion and valueFrom sources', async () => {
  const warnings: EnvWarning[] = [];
  const objs = objects();
  const container: Container = {
    name: 'app',
    image: 'img',
    resources: { limits: { memory: '64Mi' } },
    envFrom: [{ configMapRef: { name: 'cfg' } }, { prefix: 'S_', secretRef: { name: 'creds' } }],
    env: [
      { name: 'MODE', value: 'override' },
      { name: 'GREETING', value: 'hello $(MODE) $(S_TOKEN) $(LATER) $$(MODE) $(SVC_HOST)' },
      { name: 'LATER', value: 'later' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'LVL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'LEVEL' } } },
      { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
      { name: 'OPT_KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
      { name: 'OPT_CM', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k', optional: true } } },
      { name: 'EMPTY' },
    ],
  };
  const pod = makePod({ containers: [container] });
  const got = await resolveEnv(pod, container, ctx(objs, { serviceEnv: { SVC_HOST: '10.0.0.1', MODE: 'svc' }, onWarning: (w) => warnings.push(w) }));
  assert.deepEqual(toRecord(got), [
    'MODE=override',
    'LEVEL=debug',
    'S_PASSWORD=s3cret',
    'S_TOKEN=tok',
    'GREETING=hello override tok $(LATER) $(MODE) 10.0.0.1',
    'LATER=later',
    'POD_NAME=web',
    'POD_IP=10.244.0.7',
    'HOST_IP=192.168.1.10',
    'NODE=node-a',
    'MEM_MI=64',
    'CPU=4',
    'LVL=debug',
    'PW=s3cret',
    'EMPTY=',
    'SVC_HOST=10.0.0.1',
  ]);
  assert.deepEqual(warnings, [
    {
      reason: 'InvalidEnvironmentVariableNames',
      message: 'Keys [1ST, bad key] from the EnvFrom configMap ns1/cfg were skipped since they are considered invalid environment variable names.',
    },
  ]);
  // Each object read once per call.
  assert.deepEqual(objs.calls, ['cm ns1/cfg', 'secret ns1/creds', 'cm ns1/missing']);
});

test('resolveEnv: a later envFrom source overrides an earlier one; optional missing sources are skipped', async () => {
  const container: Container = {
    name: 'app',
    image: 'img',
    envFrom: [{ configMapRef: { name: 'cfg' } }, { configMapRef: { name: 'other' } }, { secretRef: { name: 'gone', optional: true } }],
  };
  const got = await resolveEnv(makePod({ containers: [container] }), container, ctx(objects()));
  assert.deepEqual(toRecord(got), ['MODE=other', 'LEVEL=debug']);
});

test('resolveEnv: missing required sources and keys are NotFound with upstream messages', async () => {
  const cases: Array<[Container, string]> = [
    [{ name: 'a', image: 'i', envFrom: [{ configMapRef: { name: 'missing' } }] }, 'configmap "missing" not found'],
    [{ name: 'a', image: 'i', envFrom: [{ secretRef: { name: 'missing' } }] }, 'secret "missing" not found'],
    [{ name: 'a', image: 'i', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }, 'configmap "missing" not found'],
    [{ name: 'a', image: 'i', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap ns1/cfg"],
    [{ name: 'a', image: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } }] }, 'secret "missing" not found'],
    [{ name: 'a', image: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }] }, "couldn't find key k in Secret ns1/creds"],
  ];
  for (const [container, message] of cases) {
    await assert.rejects(resolveEnv(makePod({ containers: [container] }), container, ctx(objects())), (e: unknown) => {
      assert.ok(isNodeletError(e, 'NotFound'));
      assert.equal(e.message, message);
      return true;
    });
  }
});

test('resolveEnv: an unsupported fieldRef is InvalidArgument', async () => {
  const container: Container = { name: 'a', image: 'i', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }] };
  await assert.rejects(resolveEnv(makePod({ containers: [container] }), container, ctx(objects())), (e) => isNodeletError(e, 'InvalidArgument'));
});
