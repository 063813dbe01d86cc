// Store keys and values to etcd's bytes and back. Pure: unit-tested without etcd.
//
// Every Store key is stored as `keyPrefix + key` (UTF-8). The compaction marker lives at
// `keyPrefix + '#compacted-revision'`: Store keys start with '/', so no Store range reaches it.
import { ErrorCode, NodeletError } from '../../../base/errors.js';
import type { KeyValue, WatchEvent } from '../store.js';
import { keyAfter, prefixEndBytes } from '../keys.js';
import type { Msg } from './proto.js';

export interface EtcdRange {
  key: Buffer;
  /** Undefined: to the end of the keyspace (sent as "\0"). */
  rangeEnd: Buffer | undefined;
}

/** etcd's "all keys from `key` on" range end. */
export const RANGE_END_ALL = Buffer.from([0]);

export class KeyCodec {
  private readonly prefix: Buffer;

  /** `keyPrefix` must be '' or start with '/' and not end with '/' (it is normalized so). */
  constructor(keyPrefix: string) {
    const normalized = keyPrefix.replace(/\/+$/, '');
    if (normalized !== '' && !normalized.startsWith('/')) {
      throw new NodeletError(ErrorCode.InvalidConfig, `etcd key prefix ${JSON.stringify(keyPrefix)} must start with "/"`);
    }
    this.prefix = Buffer.from(normalized, 'utf8');
  }

  encode(key: string): Buffer {
    return Buffer.concat([this.prefix, Buffer.from(key, 'utf8')]);
  }

  /** A Store key from an etcd key; Internal for a key outside the prefix (a server bug). */
  decode(key: Buffer): string {
    if (key.length < this.prefix.length || !key.subarray(0, this.prefix.length).equals(this.prefix)) {
      throw new NodeletError(ErrorCode.Internal, `etcd returned key ${JSON.stringify(key.toString('utf8'))} outside the prefix`);
    }
    return key.subarray(this.prefix.length).toString('utf8');
  }

  get markerKey(): Buffer {
    return this.encode('#compacted-revision');
  }

  /**
   * The etcd range of Store keys starting with `prefix`, optionally after `startAfter`. An empty
   * prefix means every Store key, i.e. those starting with '/'.
   */
  range(prefix: string, startAfter?: string): EtcdRange {
    const start = this.encode(prefix === '' ? '/' : prefix);
    const end = prefixEndBytes(start);
    let key = start;
    if (startAfter !== undefined && startAfter !== '') {
      const after = this.encode(keyAfter(startAfter));
      if (Buffer.compare(after, key) > 0) key = after;
    }
    return { key, rangeEnd: end === undefined ? undefined : Buffer.from(end) };
  }
}

export function toKeyValue(m: Msg, codec: KeyCodec): KeyValue {
  return {
    key: codec.decode(m.bytes('key')),
    value: m.bytes('value').toString('utf8'),
    createRevision: m.int('create_revision'),
    modRevision: m.int('mod_revision'),
  };
}

/**
 * A Store watch event from an etcd Event. etcd's DELETE carries only the key and the deletion
 * revision; the value and create revision come from prev_kv (absent only when etcd had
 * already compacted it, then they are empty and 0).
 */
export function toWatchEvent(ev: Msg, codec: KeyCodec): WatchEvent {
  const kv = toKeyValue(ev.msg('kv'), codec);
  const prev = ev.has('prev_kv') ? toKeyValue(ev.msg('prev_kv'), codec) : undefined;
  const type = ev.str('type');
  if (type === 'DELETE') {
    return {
      type: 'DELETE',
      kv: { key: kv.key, value: prev?.value ?? '', createRevision: prev?.createRevision ?? 0, modRevision: kv.modRevision },
      ...(prev ? { prevKv: prev } : {}),
    };
  }
  if (type !== 'PUT') throw new NodeletError(ErrorCode.Internal, `etcd sent a watch event of unknown type ${JSON.stringify(type)}`);
  return { type: 'PUT', kv, ...(prev ? { prevKv: prev } : {}) };
}
