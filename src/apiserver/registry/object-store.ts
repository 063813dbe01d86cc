// Typed access to objects in the Store: JSON in, KubeObject out, the key's modRevision as the
// object's resourceVersion (never stored inside the value, as upstream's etcd3 store). Errors
// keep the Store's codes (NotFound, AlreadyExists, Conflict, Gone); handlers map them.
import { NodeletError, ErrorCode } from '../../base/errors.js';
import { isJsonObject, type KubeObject } from '../../api/object.js';
import type { KeyValue, Store } from '../storage/store.js';
import { listPrefix, objectKey, resourcePrefix } from '../keys.js';
import type { ResourceInfo } from '../resources.js';

export interface ListEntry {
  /** Relative to the resource prefix: what continue tokens carry. */
  key: string;
  object: KubeObject;
}

export interface ListPage {
  entries: ListEntry[];
  /** The store revision the page was read at. */
  revision: number;
  more: boolean;
}

export interface ListPageOptions {
  revision?: number;
  limit?: number;
  /** Relative to the resource prefix, as ListEntry.key. */
  startAfter?: string;
}

/** Decodes a stored value; the revision becomes metadata.resourceVersion. */
export function decodeObject(kv: KeyValue): KubeObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(kv.value);
  } catch (err) {
    throw new NodeletError(ErrorCode.Internal, `stored object at ${kv.key} is not JSON`, { cause: err });
  }
  if (!isJsonObject(parsed) || !isJsonObject(parsed.metadata) || typeof parsed.kind !== 'string' || typeof parsed.apiVersion !== 'string') {
    throw new NodeletError(ErrorCode.Internal, `stored object at ${kv.key} is not a Kubernetes object`);
  }
  const obj = parsed as unknown as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** The stored form: everything but resourceVersion (the store's revision stands for it). */
export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** Parses a resourceVersion string; undefined for '' and for anything not a revision. */
export function parseRevision(rv: string | undefined): number | undefined {
  if (rv === undefined || !/^\d{1,16}$/.test(rv)) return undefined;
  const n = Number(rv);
  return Number.isSafeInteger(n) ? n : undefined;
}

export class ObjectStore {
  constructor(private readonly deps: { store: Store }) {}

  get store(): Store {
    return this.deps.store;
  }

  async get(r: ResourceInfo, namespace: string, name: string): Promise<KubeObject | undefined> {
    const kv = await this.deps.store.get(objectKey(r, namespace, name));
    return kv === undefined ? undefined : decodeObject(kv);
  }

  async list(r: ResourceInfo, namespace: string, opts: ListPageOptions = {}): Promise<ListPage> {
    const base = resourcePrefix(r);
    const result = await this.deps.store.list(listPrefix(r, namespace), {
      ...(opts.revision !== undefined && opts.revision > 0 ? { revision: opts.revision } : {}),
      ...(opts.limit !== undefined && opts.limit > 0 ? { limit: opts.limit } : {}),
      ...(opts.startAfter !== undefined ? { startAfter: base + opts.startAfter } : {}),
    });
    return {
      entries: result.items.map((kv) => ({ key: kv.key.slice(base.length), object: decodeObject(kv) })),
      revision: result.revision,
      more: result.more,
    };
  }

  async create(r: ResourceInfo, obj: KubeObject): Promise<KubeObject> {
    const kv = await this.deps.store.create(objectKey(r, obj.metadata.namespace ?? '', obj.metadata.name ?? ''), encodeObject(obj));
    return withRevision(obj, kv.modRevision);
  }

  /** Conflict when the stored revision is no longer `expectedRevision`. */
  async update(r: ResourceInfo, obj: KubeObject, expectedRevision: number): Promise<KubeObject> {
    const key = objectKey(r, obj.metadata.namespace ?? '', obj.metadata.name ?? '');
    const kv = await this.deps.store.update(key, encodeObject(obj), expectedRevision);
    return withRevision(obj, kv.modRevision);
  }

  /** The deleted object with the deletion's revision as resourceVersion. */
  async delete(r: ResourceInfo, namespace: string, name: string, expectedRevision?: number): Promise<KubeObject> {
    const kv = await this.deps.store.delete(objectKey(r, namespace, name), expectedRevision);
    return decodeObject(kv);
  }
}

function withRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}
