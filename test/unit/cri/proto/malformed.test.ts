// Hostile and damaged input: the decoder throws Internal naming the message type, or decodes;
// it never hangs, crashes with another error, or trusts a length past the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, isNodeletError } from '../../../../src/base/errors.js';
import { criMethodCodec, decodeCriMessage, encodeCriMessage } from '../../../../src/cri/proto/codec.js';
import { WireWriter } from '../../../../src/cri/proto/wire.js';
import * as fx from './fixtures.js';

function internal(re: RegExp): (e: unknown) => boolean {
  return (e) => isNodeletError(e, ErrorCode.Internal) && re.test(e.message);
}

function decodesOrInternal(type: string, buf: Buffer, what: string): void {
  try {
    decodeCriMessage(type, buf);
  } catch (e) {
    assert.ok(isNodeletError(e, ErrorCode.Internal), `${what}: ${String(e)}`);
    assert.match(e.message, /^malformed CRI message runtime\.v1\.\w+/, what);
  }
}

test('a real message truncated at every length throws Internal or decodes', () => {
  const cases: [string, object][] = [
    ['PodSandboxStatusResponse', fx.podSandboxStatusResponse],
    ['ContainerStatsResponse', fx.containerStatsResponse],
    ['CreateContainerRequest', { podSandboxId: 'p', config: fx.containerConfig, sandboxConfig: fx.podSandboxConfig }],
  ];
  for (const [type, obj] of cases) {
    const full = encodeCriMessage(type, obj);
    let failures = 0;
    for (let n = 0; n < full.length; n++) {
      try {
        decodeCriMessage(type, full.subarray(0, n));
      } catch (e) {
        assert.ok(isNodeletError(e, ErrorCode.Internal), `${type} cut at ${n}: ${String(e)}`);
        failures++;
      }
    }
    // Most cuts land inside a field; those must be caught, not decoded as garbage.
    assert.ok(failures > full.length / 2, `${type}: ${failures} of ${full.length} cuts failed`);
  }
});

test('random corruption throws Internal or decodes', () => {
  const full = encodeCriMessage('ListContainersResponse', fx.listContainersResponse);
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 2000; i++) {
    const buf = Buffer.from(full);
    for (let k = 0; k < 1 + rand(4); k++) buf[rand(buf.length)] = rand(256);
    decodesOrInternal('ListContainersResponse', buf, `round ${i}`);
  }
});

test('specific damage is named', () => {
  // VersionResponse.version is field 1, a string.
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0x0a])), internal(/VersionResponse: truncated varint/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0x0a, 0x05, 0x61])), internal(/VersionResponse: length 5 past the end/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0x08, 0x01])), internal(/VersionResponse: wire type 0 for field version/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0x80, 0x80, 0x80])), internal(/truncated varint/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0x00, 0x00])), internal(/field number 0/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0xf8, 0x01, ...Array(11).fill(0xff)])), internal(/longer than 10 bytes/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0xfe, 0x01])), internal(/wire type 6/));
  // A huge declared length is checked against the input, not allocated.
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), internal(/past the end/));
  // The innermost message is named: ListContainersResponse.containers[0].metadata.name as a varint.
  const inner = Buffer.from([0x0a, 0x04, 0x1a, 0x02, 0x08, 0x01]);
  assert.throws(() => decodeCriMessage('ListContainersResponse', inner), internal(/ContainerMetadata: wire type 0 for field name/));
  // A sub-message whose field runs past the sub-message's own length.
  const overrun = Buffer.from([0x0a, 0x03, 0x0a, 0x03, 0x61, 0x62, 0x63]);
  assert.throws(() => decodeCriMessage('ListContainersResponse', overrun), internal(/Container: length 3 past the end/));
  assert.throws(() => criMethodCodec('RuntimeService', 'Version').responseDeserialize(Buffer.from([0x0a])), internal(/VersionResponse/));
});

test('unknown fields of every wire type are skipped, including groups', () => {
  const base = encodeCriMessage('VersionResponse', fx.versionResponse);
  const w = new WireWriter();
  w.tag(100, 0); // varint
  w.varint64(0xffffffff, 0xffffffff);
  w.tag(101, 1); // fixed64
  w.fixed64(1, 2);
  w.tag(102, 2); // length-delimited
  w.bytes(Buffer.from('ignored'));
  w.tag(103, 5); // fixed32
  w.fixed32(7);
  w.tag(104, 3); // group holding a varint and a nested group
  w.tag(1, 0);
  w.varint32(5);
  w.tag(2, 3);
  w.tag(2, 4);
  w.tag(104, 4);
  const unknown = w.finish();
  const got = decodeCriMessage('VersionResponse', Buffer.concat([unknown, base, unknown]));
  assert.deepStrictEqual(got, decodeCriMessage('VersionResponse', base));
  assert.deepStrictEqual(got, fx.versionResponse);
  // Unknown fields inside a map entry too: StatusResponse.info (2) = entry {1: "k", 3: 7, 2: "v"}.
  const entry = Buffer.from([0x12, 0x08, 0x0a, 0x01, 0x6b, 0x18, 0x07, 0x12, 0x01, 0x76]);
  assert.deepStrictEqual(decodeCriMessage('StatusResponse', entry)['info'], { k: 'v' });
});

test('unbalanced or runaway groups are refused', () => {
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0xa3, 0x06])), internal(/truncated varint/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0xa3, 0x06, 0xac, 0x06])), internal(/end of group 101 inside group 100/));
  assert.throws(() => decodeCriMessage('VersionResponse', Buffer.from([0xa4, 0x06])), internal(/wire type 4/));
  const deep = Buffer.from(Array(200).fill([0xa3, 0x06]).flat());
  assert.throws(() => decodeCriMessage('VersionResponse', deep), internal(/nested too deep/));
});

test('a map key "__proto__" from the runtime is an ordinary key, not the prototype', () => {
  // JSON.parse makes "__proto__" an own key (an object literal would set the prototype instead).
  const labels0: unknown = JSON.parse('{"__proto__": "x", "app": "web"}');
  const bytes = encodeCriMessage('PodSandboxStatusResponse', { status: { id: 's1', labels: labels0 } });
  const decoded = decodeCriMessage('PodSandboxStatusResponse', bytes) as { status: { labels: Record<string, unknown> } };
  const labels = decoded.status.labels;
  assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  assert.deepEqual(Object.keys(labels).sort(), ['__proto__', 'app']);
  assert.equal(Object.getOwnPropertyDescriptor(labels, '__proto__')?.value, 'x');
});
