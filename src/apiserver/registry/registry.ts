// The API semantics of writes, independent of HTTP: what create and update do to an object before
// and after the Store (server-set metadata, per-kind strategy, defaulting, validation, namespace
// lifecycle, allocations, optimistic concurrency). Handlers, the garbage collector and bootstrap
// all write through here so every path obeys the same rules.
import { randomInt, randomUUID } from 'node:crypto';
import type { Clock } from '../../base/clock.js';
import { isNodeletError, ErrorCode } from '../../base/errors.js';
import { isJsonObject, type KubeObject } from '../../api/object.js';
import { generateName } from '../../api/names.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { alreadyExists, ApiError, badRequest, conflict, forbidden, invalid, notFound, staleConflict, toApiError } from '../status.js';
import { noUndo, type ObjectAdmission, type ObjectHooks, type Undo } from './hooks.js';
import { encodeObject, parseRevision, type ObjectStore } from './object-store.js';
import { allowCreateOnUpdate, prepareForCreate, prepareForUpdate, type UpdateTarget } from './strategy.js';

export interface RegistryDeps {
  objects: ObjectStore;
  clock: Clock;
  admission: ObjectAdmission;
  /** By resource plural (e.g. services: IP and port allocation). */
  hooks?: ReadonlyMap<string, ObjectHooks>;
  newUid?: () => string;
  randomInt?: (n: number) => number;
}

export interface UpdateRequest {
  target: UpdateTarget;
  /** The desired object given the current one (the PUT body, or the patched current object). */
  compute(current: KubeObject): KubeObject | Promise<KubeObject>;
  /** PUT's body, for kinds where PUT creates a missing object. */
  createBody?: KubeObject;
  dryRun: boolean;
}

/** Unconditional writes (no resourceVersion given) retry this often when they race. */
const MAX_ATTEMPTS = 8;
const GENERATE_NAME_ATTEMPTS = 5;

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export class Registry {
  readonly objects: ObjectStore;
  readonly clock: Clock;
  private readonly newUid: () => string;
  private readonly random: (n: number) => number;

  constructor(private readonly deps: RegistryDeps) {
    this.objects = deps.objects;
    this.clock = deps.clock;
    this.newUid = deps.newUid ?? randomUUID;
    this.random = deps.randomInt ?? ((n) => randomInt(n));
  }

  hooksFor(r: ResourceInfo): ObjectHooks | undefined {
    return this.deps.hooks?.get(r.resource);
  }

  async get(r: ResourceInfo, namespace: string, name: string): Promise<KubeObject> {
    const obj = await this.objects.get(r, namespace, name);
    if (obj === undefined) throw notFound(r, name);
    return obj;
  }

  /** Stores a new object; `namespace` is the request's (the object's must match or be empty). */
  async create(r: ResourceInfo, namespace: string, input: KubeObject, opts: { dryRun: boolean }): Promise<KubeObject> {
    const obj: KubeObject = { ...structuredClone(input), metadata: { ...structuredClone(input.metadata) } };
    const meta = obj.metadata;
    if (r.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else {
      delete meta.namespace;
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
      throw badRequest('resourceVersion should not be set on objects to be created');
    }
    delete meta.resourceVersion;
    const generated = (meta.name === undefined || meta.name === '') && meta.generateName !== undefined && meta.generateName !== '';
    if (r.namespaced) await this.checkNamespaceAccepts(r, namespace, meta.name ?? meta.generateName ?? '');

    for (let attempt = 1; ; attempt++) {
      if (generated) meta.name = generateName(meta.generateName ?? '', this.random);
      const name = meta.name ?? '';
      if (name === '') {
        throw invalid(r, '', [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }]);
      }
      meta.uid = this.newUid();
      meta.creationTimestamp = rfc3339(this.clock.now());
      prepareForCreate(r, obj);
      // Allocation runs before validation (as upstream's BeginCreate) so validation sees the result.
      const undo = (await this.hooksFor(r)?.beforeCreate(obj, opts.dryRun)) ?? noUndo;
      try {
        this.admit(r, obj);
        if (opts.dryRun) {
          await undo();
          return obj;
        }
        return await this.objects.create(r, obj);
      } catch (err) {
        await undo();
        if (isNodeletError(err, ErrorCode.AlreadyExists)) {
          if (generated && attempt < GENERATE_NAME_ATTEMPTS) continue;
          throw alreadyExists(r, name);
        }
        throw toApiError(err, r, name);
      }
    }
  }

  /**
   * Updates `target` of an object. With a resourceVersion in the desired object the write is
   * conditional (409 when stale); without one it is retried on races, as upstream's
   * GuaranteedUpdate. Writes nothing when nothing changes.
   */
  async update(r: ResourceInfo, namespace: string, name: string, req: UpdateRequest): Promise<{ object: KubeObject; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.objects.get(r, namespace, name);
      if (current === undefined) {
        if (req.createBody !== undefined && req.target === '' && allowCreateOnUpdate(r)) {
          checkIdentity(req.createBody, namespace, name);
          return { object: await this.create(r, namespace, req.createBody, { dryRun: req.dryRun }), created: true };
        }
        throw notFound(r, name);
      }
      const currentRev = parseRevision(current.metadata.resourceVersion) ?? 0;
      const desired = await req.compute(current);
      checkIdentity(desired, namespace, name);
      const wantedRv = desired.metadata.resourceVersion ?? '';
      if (wantedRv !== '' && wantedRv !== current.metadata.resourceVersion) throw staleConflict(r, name);
      const uid = desired.metadata.uid ?? '';
      if (uid !== '' && uid !== current.metadata.uid) {
        throw conflict(r, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
      }

      const next = prepareForUpdate(r, desired, current, req.target);
      const effects = (await this.hooksFor(r)?.beforeUpdate(next, current, req.dryRun)) ?? { undo: noUndo, commit: noUndo };
      let stored: KubeObject;
      try {
        if (req.target === 'binding') this.deps.admission.applyDefaults(r, next);
        else this.admit(r, next, current);
        if (req.dryRun || encodeObject(next) === encodeObject(current)) {
          await effects.undo();
          return { object: req.dryRun ? next : current, created: false };
        }
        stored = await this.objects.update(r, next, currentRev);
      } catch (err) {
        await effects.undo();
        if (isNodeletError(err, ErrorCode.Conflict) || isNodeletError(err, ErrorCode.NotFound)) {
          if (wantedRv === '' && attempt < MAX_ATTEMPTS) continue;
          throw isNodeletError(err, ErrorCode.NotFound) ? notFound(r, name) : staleConflict(r, name);
        }
        throw toApiError(err, r, name);
      }
      await effects.commit();
      // An object whose deletion only waited for finalizers goes once the last one is removed.
      if (readyToRemove(r, stored)) await this.removeNow(r, stored);
      return { object: stored, created: false };
    }
  }

  /** Deletes the key if still at this version; the object has no remaining reasons to stay. */
  async removeNow(r: ResourceInfo, obj: KubeObject): Promise<KubeObject | undefined> {
    const name = obj.metadata.name ?? '';
    try {
      const deleted = await this.objects.delete(r, obj.metadata.namespace ?? '', name, parseRevision(obj.metadata.resourceVersion));
      await this.hooksFor(r)?.afterDelete(deleted);
      return deleted;
    } catch (err) {
      // Someone changed or removed it meanwhile; whoever did will see it through.
      if (isNodeletError(err, ErrorCode.Conflict) || isNodeletError(err, ErrorCode.NotFound)) return undefined;
      throw toApiError(err, r, name);
    }
  }

  /** Defaults then validates; 422 Invalid with the causes. */
  admit(r: ResourceInfo, obj: KubeObject, old?: KubeObject): void {
    this.deps.admission.applyDefaults(r, obj);
    const causes = this.deps.admission.validate(r, obj, old);
    if (causes.length > 0) {
      const name = obj.metadata.name ?? '';
      throw invalid(r, name, causes, this.deps.admission.invalidMessage(r, name, causes));
    }
  }

  /** Upstream's NamespaceLifecycle admission: the namespace must exist and not be terminating. */
  private async checkNamespaceAccepts(r: ResourceInfo, namespace: string, name: string): Promise<void> {
    const namespaces = findResource('', 'v1', 'namespaces');
    if (namespaces === undefined) return;
    const ns = await this.objects.get(namespaces, '', namespace);
    if (ns === undefined) throw notFound(namespaces, namespace);
    if (ns.metadata.deletionTimestamp !== undefined) {
      throw forbidden(r, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
        { reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' },
      ]);
    }
  }
}

/** The desired object must name what the URL names. */
function checkIdentity(obj: KubeObject, namespace: string, name: string): void {
  const m = obj.metadata;
  if ((m.name ?? '') !== name) throw badRequest(`the name of the object (${m.name ?? ''}) does not match the name on the URL (${name})`);
  if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace && namespace !== '') {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/**
 * Deletion requested, no finalizers left, no grace period running (upstream's
 * ShouldDeleteDuringUpdate); a namespace also waits for its spec.finalizers (its content).
 */
export function readyToRemove(r: ResourceInfo, obj: KubeObject): boolean {
  const m = obj.metadata;
  if (m.deletionTimestamp === undefined || (m.finalizers ?? []).length > 0 || (m.deletionGracePeriodSeconds ?? 0) !== 0) return false;
  if (r.resource !== 'namespaces') return true;
  const spec = obj.spec;
  return !isJsonObject(spec) || !Array.isArray(spec.finalizers) || spec.finalizers.length === 0;
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export type { Undo };
