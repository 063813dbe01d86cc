// A minimal protobuf writer for building test bodies field by field.

export function varint(n: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return Buffer.from(out);
}

export function int(field: number, n: number | bigint): Buffer {
  return Buffer.concat([varint(field * 8), varint(n)]);
}

export function bytes(field: number, data: Uint8Array | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  return Buffer.concat([varint(field * 8 + 2), varint(b.length), b]);
}

export function msg(field: number, ...parts: Buffer[]): Buffer {
  return bytes(field, Buffer.concat(parts));
}

export function entry(field: number, key: string, value: Buffer): Buffer {
  return msg(field, bytes(1, key), value);
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw}. */
export function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, bytes(1, apiVersion), bytes(2, kind)), bytes(2, raw), bytes(3, ''), bytes(4, '')]);
}
