// Fakes for the node manager's unit tests: an in-memory KubeClient, a runtime answering the three
// calls node status makes, a clock whose sleep advances time at once, and a silent logger.
import winston from 'winston';
import type { KubeClient, ObjectList, PatchType, WatchEvent } from '../../../../src/api/client/types.js';
import type { JsonObject, JsonValue, KubeObject } from '../../../../src/api/object.js';
import { isJsonObject } from '../../../../src/api/object.js';
import { asJson, asKube, cloneJson } from '../../../../src/api/json.js';
import type { Clock } from '../../../../src/base/clock.js';
import { ErrorCode, NodeletError } from '../../../../src/base/errors.js';
import type { Logger } from '../../../../src/base/log.js';
import type { Image, RuntimeStatusInfo, VersionInfo } from '../../../../src/cri/replies.js';
import type { Runtime } from '../../../../src/cri/runtime.js';
import type { HostInfo, HostInfoSource } from '../../../../src/agent/node/host-info.js';

export const silentLog: Logger = winston.createLogger({ silent: true });

export interface Call {
  method: 'get' | 'create' | 'update' | 'patch';
  path: string;
  body?: unknown;
  patchType?: PatchType;
}

/** Merges like a JSON merge patch, except that `conditions`/`addresses` lists merge by `type`. */
function mergeInto(target: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    const cur = target[k];
    if (v === null) delete target[k];
    else if (isJsonObject(v) && isJsonObject(cur)) mergeInto(cur, v);
    else if (Array.isArray(v) && Array.isArray(cur) && (k === 'conditions' || k === 'addresses')) {
      const out: JsonValue[] = [...cur];
      for (const item of v) {
        const i = out.findIndex((o) => isJsonObject(o) && isJsonObject(item) && o.type === item.type);
        if (i >= 0) out[i] = item;
        else out.push(item);
      }
      target[k] = out;
    } else target[k] = cloneJson(v);
  }
}

export class FakeKubeClient implements KubeClient {
  readonly server = 'https://fake';
  readonly objects = new Map<string, KubeObject>();
  readonly calls: Call[] = [];
  /** Errors to throw, first in first out, per method. */
  readonly failures: Partial<Record<Call['method'], NodeletError[]>> = {};
  private rv = 0;
  private uid = 0;

  private fail(method: Call['method']): void {
    const err = this.failures[method]?.shift();
    if (err !== undefined) throw err;
  }

  private stamp(obj: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.rv);
    return obj;
  }

  async get(path: string): Promise<KubeObject> {
    this.calls.push({ method: 'get', path });
    this.fail('get');
    const obj = this.objects.get(path);
    if (obj === undefined) throw new NodeletError(ErrorCode.NotFound, `${path} not found`);
    return asKube(cloneJson(asJson(obj)));
  }

  async create(path: string, body: KubeObject): Promise<KubeObject> {
    this.calls.push({ method: 'create', path, body: cloneJson(asJson(body)) });
    this.fail('create');
    const key = `${path}/${body.metadata.name ?? ''}`;
    if (this.objects.has(key)) throw new NodeletError(ErrorCode.AlreadyExists, `${key} already exists`);
    const obj = asKube(cloneJson(asJson(body)));
    obj.metadata.uid = `uid-${++this.uid}`;
    this.objects.set(key, this.stamp(obj));
    return asKube(cloneJson(asJson(obj)));
  }

  async update(path: string, body: KubeObject): Promise<KubeObject> {
    this.calls.push({ method: 'update', path, body: cloneJson(asJson(body)) });
    this.fail('update');
    const cur = this.objects.get(path);
    if (cur === undefined) throw new NodeletError(ErrorCode.NotFound, `${path} not found`);
    if (body.metadata.resourceVersion !== cur.metadata.resourceVersion) throw new NodeletError(ErrorCode.Conflict, 'the object has been modified');
    const obj = asKube(cloneJson(asJson(body)));
    this.objects.set(path, this.stamp(obj));
    return asKube(cloneJson(asJson(obj)));
  }

  async patch(path: string, type: PatchType, patch: unknown): Promise<KubeObject> {
    this.calls.push({ method: 'patch', path, patchType: type, body: JSON.parse(JSON.stringify(patch)) as unknown });
    this.fail('patch');
    const key = path.endsWith('/status') ? path.slice(0, -'/status'.length) : path;
    const cur = this.objects.get(key);
    if (cur === undefined) throw new NodeletError(ErrorCode.NotFound, `${key} not found`);
    const obj = cloneJson(asJson(cur));
    const p = JSON.parse(JSON.stringify(patch)) as unknown;
    if (!isJsonObject(p)) throw new NodeletError(ErrorCode.InvalidArgument, 'bad patch');
    mergeInto(obj, p);
    const stamped = this.stamp(asKube(obj));
    this.objects.set(key, stamped);
    return asKube(cloneJson(asJson(stamped)));
  }

  /** Changes the stored object behind the client's back (another writer). */
  touch(path: string, mutate: (o: KubeObject) => void): void {
    const cur = this.objects.get(path);
    if (cur === undefined) throw new Error(`no ${path}`);
    mutate(cur);
    this.stamp(cur);
  }

  list(): Promise<ObjectList> {
    throw new Error('not used');
  }
  delete(): Promise<unknown> {
    throw new Error('not used');
  }
  watch(): AsyncIterable<WatchEvent> {
    throw new Error('not used');
  }
  close(): void {}

  callsTo(method: Call['method'], path?: string): Call[] {
    return this.calls.filter((c) => c.method === method && (path === undefined || c.path === path));
  }
}

export const VERSION: VersionInfo = { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: '1.6.20', runtimeApiVersion: 'v1' };
export const READY_STATUS: RuntimeStatusInfo = {
  conditions: [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ],
  info: {},
  runtimeHandlers: [],
};

export function image(id: string, size: number, repoTags: string[], repoDigests: string[] = []): Image {
  return { id, repoTags, repoDigests, size, uid: undefined, username: '', spec: undefined, pinned: false };
}

/** Answers version/status/listImages from its fields; `down` makes version fail as a dead socket does. */
export class FakeRuntime {
  down = false;
  status: RuntimeStatusInfo = READY_STATUS;
  images: Image[] = [image('sha256:a', 1000, ['nodelet.local/pause:3.10'])];

  asRuntime(): Runtime {
    const unavailable = (): never => {
      throw new NodeletError(ErrorCode.Unavailable, 'connect ENOENT /run/dead.sock');
    };
    const fake = {
      version: async (): Promise<VersionInfo> => (this.down ? unavailable() : VERSION),
      status: async (): Promise<RuntimeStatusInfo> => (this.down ? unavailable() : this.status),
      listImages: async (): Promise<Image[]> => (this.down ? unavailable() : this.images),
    };
    // Only the calls node status makes; anything else would be a test bug.
    return fake as unknown as Runtime;
  }
}

/** sleep() advances now() and resolves at once; `onSleep` lets a test stop a loop. */
export class FakeClock implements Clock {
  nowMs = Date.parse('2026-11-29T07:00:00Z');
  readonly sleeps: number[] = [];
  onSleep: (ms: number) => void = () => undefined;

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.nowMs += ms;
    this.onSleep(ms);
    if (signal?.aborted === true) throw signal.reason;
  }
}

export const HOST: HostInfo = Object.freeze({
  cpuCount: 4,
  memoryBytes: 8202252288, // 8010012Ki
  machineID: 'abc123',
  systemUUID: 'ec2a-uuid',
  bootID: 'boot-1',
  kernelVersion: '6.1.0-18-amd64',
  osImage: 'Debian GNU/Linux 12 (bookworm)',
  operatingSystem: 'linux',
  architecture: 'amd64',
  ephemeralStorageBytes: 62671097856, // 61202244Ki
  internalIP: '10.0.0.5',
});

export const fakeHostInfo: HostInfoSource = { read: async () => HOST };
