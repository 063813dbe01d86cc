// codec.ts against proto-loader (the reference): both must read what the other writes, into the
// same objects, for real CRI messages and for every request and response of both services.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import {
  criMethodCodec,
  criMethodNames,
  criServiceCodec,
  decodeCriMessage,
  encodeCriMessage,
  type CriMethodCodec,
  type CriServiceName,
} from '../../../../src/cri/proto/codec.js';
import { MESSAGES, SERVICES } from '../../../../src/cri/proto/cri-descriptors.js';
import { loadCriProto, type CriMethod } from '../../../../src/cri/proto/load.js';
import { fillMessage } from './fill.js';
import * as fx from './fixtures.js';

const SERVICE_NAMES: readonly CriServiceName[] = ['RuntimeService', 'ImageService'];

function refMethod(service: CriServiceName, rpc: string): CriMethod {
  const proto = loadCriProto();
  const m = (service === 'RuntimeService' ? proto.runtimeService : proto.imageService)[rpc];
  assert.ok(m, `proto-loader has ${service}.${rpc}`);
  return m;
}

type Side = 'request' | 'response';

interface Pair {
  ours: { ser(o: object): Buffer; de(b: Buffer): unknown };
  ref: { ser(o: object): Buffer; de(b: Buffer): unknown };
}

function pair(service: CriServiceName, rpc: string, side: Side): Pair {
  const o: CriMethodCodec = criMethodCodec(service, rpc);
  const r = refMethod(service, rpc);
  return side === 'request'
    ? {
        ours: { ser: o.requestSerialize, de: o.requestDeserialize },
        ref: { ser: r.requestSerialize, de: r.requestDeserialize },
      }
    : {
        ours: { ser: o.responseSerialize, de: o.responseDeserialize },
        ref: { ser: r.responseSerialize, de: r.responseDeserialize },
      };
}

/**
 * Checks both directions against proto-loader's own round trip of `obj`, and returns whether the
 * two encodings are byte-identical.
 */
function agree(service: CriServiceName, rpc: string, side: Side, obj: object): boolean {
  const { ours, ref } = pair(service, rpc, side);
  const refBytes = ref.ser(obj);
  const ourBytes = ours.ser(obj);
  const expected = ref.de(refBytes);
  const what = `${service}.${rpc} ${side}`;
  assert.deepStrictEqual(ref.de(ourBytes), expected, `${what}: proto-loader reads ours`);
  assert.deepStrictEqual(ours.de(refBytes), expected, `${what}: ours reads proto-loader's`);
  assert.deepStrictEqual(ours.de(ourBytes), expected, `${what}: ours reads ours`);
  return ourBytes.equals(refBytes);
}

test('real CRI messages: both codecs read each other, byte-identical when no default is set', () => {
  const cases: [string, Side, object][] = [
    ['RunPodSandbox', 'request', { config: fx.podSandboxConfig, runtimeHandler: 'runc' }],
    ['CreateContainer', 'request', { podSandboxId: 'p1', config: fx.containerConfig, sandboxConfig: fx.podSandboxConfig }],
    ['ListContainers', 'response', fx.listContainersResponse],
    ['ContainerStatus', 'response', fx.containerStatusResponse],
    ['ExecSync', 'response', fx.execSyncResponse],
    ['Version', 'response', fx.versionResponse],
    ['PodSandboxStatus', 'response', fx.podSandboxStatusResponse],
    ['GetContainerEvents', 'response', fx.containerEventResponse],
    ['ContainerStats', 'response', fx.containerStatsResponse],
  ];
  for (const [rpc, side, obj] of cases) agree('RuntimeService', rpc, side, obj);
  agree('ImageService', 'ImageStatus', 'response', fx.imageStatusResponse);
  // These fixtures set some fields to their defaults explicitly (e.g. hostPort: 0), which
  // protobufjs writes and we leave out; the decoded objects are the same.
  assert.equal(agree('RuntimeService', 'ListContainers', 'response', { containers: [fx.container(1)] }), false);
});

test('every method of both services: requests and responses with every field set', () => {
  let methods = 0;
  for (const service of SERVICE_NAMES) {
    const rows = SERVICES.find((s) => s[0] === service)?.[1] ?? [];
    assert.ok(rows.length > 0, service);
    assert.deepEqual(criMethodNames(service), Object.keys(service === 'RuntimeService' ? loadCriProto().runtimeService : loadCriProto().imageService));
    rows.forEach(([rpc, req, res], i) => {
      for (const [side, index] of [['request', req], ['response', res]] as const) {
        const obj = fillMessage(index, i);
        // No field holds its default, so the encodings must match byte for byte.
        assert.ok(agree(service, rpc, side, obj), `${service}.${rpc} ${side} bytes identical`);
        assert.ok(agree(service, rpc, side, {}), `${service}.${rpc} ${side} empty`);
      }
      methods++;
    });
  }
  assert.equal(methods, 30 + 5);
});

test('method paths and streaming flags match proto-loader', () => {
  for (const service of SERVICE_NAMES) {
    const codecs = criServiceCodec(service);
    for (const rpc of criMethodNames(service)) {
      const ours = codecs[rpc];
      const ref = refMethod(service, rpc);
      assert.ok(ours);
      assert.equal(ours.path, ref.path);
      assert.equal(ours.responseStream, ref.responseStream);
      assert.equal(ours.requestStream, ref.requestStream);
      const name = (t: { type: object }): unknown => (t.type as { name?: unknown }).name;
      assert.equal(ours.requestType, `runtime.v1.${String(name(ref.requestType))}`);
      assert.equal(ours.responseType, `runtime.v1.${String(name(ref.responseType))}`);
    }
  }
  assert.equal(criMethodCodec('RuntimeService', 'Version').path, '/runtime.v1.RuntimeService/Version');
  assert.equal(criMethodCodec('RuntimeService', 'GetContainerEvents').responseStream, true);
  assert.throws(() => criMethodCodec('RuntimeService', 'PullImage'), (e) => isNodeletError(e, ErrorCode.Internal));
  assert.throws(() => criMethodCodec('ImageService', 'Nope'), (e) => isNodeletError(e, ErrorCode.Internal));
});

test('every message type round-trips through ours, filled and empty', () => {
  MESSAGES.forEach(([name], i) => {
    const filled = fillMessage(i, i);
    const once = decodeCriMessage(name, encodeCriMessage(name, filled));
    assert.deepStrictEqual(decodeCriMessage(name, encodeCriMessage(name, once)), once, name);
    assert.equal(encodeCriMessage(`runtime.v1.${name}`, {}).length, 0, name);
  });
});

test('decoding fills defaults like proto-loader: "" 0 false "0", first enum name, [] {} null, empty Buffer', () => {
  const status = decodeCriMessage('ContainerStatus', Buffer.alloc(0));
  assert.equal(status['id'], '');
  assert.equal(status['exitCode'], 0);
  assert.equal(status['createdAt'], '0');
  assert.equal(status['state'], 'CONTAINER_CREATED');
  assert.equal(status['metadata'], null);
  assert.deepStrictEqual(status['labels'], {});
  assert.deepStrictEqual(status['mounts'], []);
  const exec = decodeCriMessage('ExecSyncResponse', Buffer.alloc(0));
  assert.deepStrictEqual(exec['stdout'], Buffer.alloc(0));
  // Fresh containers per object: filling one must not leak into the next.
  (status['mounts'] as unknown[]).push(1);
  assert.deepStrictEqual(decodeCriMessage('ContainerStatus', Buffer.alloc(0))['mounts'], []);
});

test('int64 accepts number, string, bigint and Long-like, exactly', () => {
  const { ours, ref } = pair('RuntimeService', 'StopContainer', 'request');
  const forms: [unknown, string][] = [
    [30, '30'],
    [-1, '-1'],
    [2 ** 53 - 1, '9007199254740991'],
    [-(2 ** 40), '-1099511627776'],
    ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808', '-9223372036854775808'],
    [2n ** 53n + 1n, '9007199254740993'],
    [-(2n ** 63n), '-9223372036854775808'],
    [{ low: -1, high: 0x7fffffff, unsigned: false }, '9223372036854775807'],
    [{ low: 1, high: 1, unsigned: true }, '4294967297'],
  ];
  for (const [v, want] of forms) {
    const bytes = ours.ser({ containerId: 'c', timeout: v });
    assert.equal((ref.de(bytes) as { timeout: unknown }).timeout, want, `${String(v)}`);
    assert.deepEqual(bytes, ref.ser({ containerId: 'c', timeout: want }));
  }
  for (const bad of [1.5, 'ten', '', 2n ** 64n, {}, true, NaN]) {
    assert.throws(() => ours.ser({ timeout: bad }), (e) => isNodeletError(e, ErrorCode.Internal), String(bad));
  }
  // uint64: a negative value is its two's complement, as protobufjs's Long does.
  const img = pair('ImageService', 'ImageStatus', 'response');
  const bytes = img.ours.ser({ image: { size: '-1' } });
  assert.equal((img.ref.de(bytes) as { image: { size: string } }).image.size, '18446744073709551615');
});

test('enums: names and numbers encode; unknown numbers decode as numbers; unknown names are refused', () => {
  const ctr = pair('RuntimeService', 'ContainerStatus', 'response');
  const byName = ctr.ours.ser({ status: { state: 'CONTAINER_EXITED', stopSignal: 'SIGKILL' } });
  const byNumber = ctr.ours.ser({ status: { state: 2, stopSignal: 13 } });
  assert.deepEqual(byName, byNumber);
  const future = ctr.ours.ser({ status: { state: 7 } });
  assert.equal((ctr.ref.de(future) as { status: { state: unknown } }).status.state, 7);
  assert.equal((ctr.ours.de(future) as { status: { state: unknown } }).status.state, 7);
  assert.equal((ctr.ours.de(ctr.ref.ser({ status: { state: 9 } })) as { status: { state: unknown } }).status.state, 9);
  assert.throws(() => ctr.ours.ser({ status: { state: 'CONTAINER_PAUSED' } }), (e) => isNodeletError(e, ErrorCode.Internal));
});

test('bytes encode from Buffer, Uint8Array and base64 strings, like protobufjs', () => {
  const { ours, ref } = pair('RuntimeService', 'ExecSync', 'response');
  const want = Buffer.from([1, 2, 250]);
  for (const v of [want, new Uint8Array([1, 2, 250]), want.toString('base64')]) {
    const got = ref.de(ours.ser({ stdout: v })) as { stdout: Buffer };
    assert.deepStrictEqual(got.stdout, want);
  }
  const decoded = ours.de(ref.ser({ stdout: want })) as { stdout: unknown };
  assert.ok(Buffer.isBuffer(decoded.stdout));
});

test('encoding leaves out default scalars (protobufjs writes them when set explicitly)', () => {
  const { ours, ref } = pair('RuntimeService', 'Status', 'request');
  assert.equal(ours.ser({ verbose: false }).length, 0);
  assert.equal(ref.ser({ verbose: false }).length, 2);
  assert.deepEqual(ours.ser({ verbose: true }), ref.ser({ verbose: true }));
});

test('repeated scalars: packed on the wire; unpacked input decodes too', () => {
  // LinuxContainerUser.supplementalGroups (field 3, int64): 3 unpacked entries then one packed run.
  const unpacked = Buffer.from([0x18, 0x01, 0x18, 0x02, 0x18, 0x03, 0x1a, 0x02, 0x04, 0x05]);
  const got = decodeCriMessage('LinuxContainerUser', unpacked);
  assert.deepStrictEqual(got['supplementalGroups'], ['1', '2', '3', '4', '5']);
  const packed = encodeCriMessage('LinuxContainerUser', { supplementalGroups: ['1', '2'] });
  assert.deepEqual(packed, Buffer.from([0x1a, 0x02, 0x01, 0x02]));
});

test('encoding refuses values of the wrong shape with Internal naming the field', () => {
  const bad: [string, object][] = [
    ['RunPodSandboxRequest', { config: 'x' }],
    ['RunPodSandboxRequest', { config: { labels: ['a'] } }],
    ['ContainerConfig', { command: 'ls' }],
    ['ContainerConfig', { command: [null] }],
    ['ExecSyncResponse', { stdout: 5 }],
  ];
  for (const [type, obj] of bad) {
    assert.throws(
      () => encodeCriMessage(type, obj),
      (e) => isNodeletError(e, ErrorCode.Internal) && /cannot encode CRI runtime\.v1\./.test(e.message),
      JSON.stringify(obj),
    );
  }
  assert.throws(() => encodeCriMessage('NoSuchMessage', {}), (e) => isNodeletError(e, ErrorCode.Internal));
});
