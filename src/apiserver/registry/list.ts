// Lists as upstream serves them (api-concepts "Resource versions" and "Retrieving large results
// sets in chunks"): resourceVersion "" reads the latest, "0" any (we serve the latest), N with
// resourceVersionMatch=Exact (or, legacy, with a limit) reads at N, N with NotOlderThan reads the
// latest once it has reached N. A limit counts matching objects; the continue token pins the
// first page's revision so all pages form one consistent snapshot, and answers 410 Expired once
// that revision is compacted, offering an inconsistent continuation in the Status.
import type { Clock } from '../../base/clock.js';
import { isNodeletError, ErrorCode } from '../../base/errors.js';
import type { KubeObject } from '../../api/object.js';
import { decodeContinue, encodeContinue } from '../continue-token.js';
import type { ResourceInfo } from '../resources.js';
import { badRequest, CONTINUE_EXPIRED_MESSAGE, expired, timeout, toApiError } from '../status.js';
import { parseRevision, type ObjectStore } from './object-store.js';

export type ObjectPredicate = (obj: KubeObject) => boolean;

export interface ListRequest {
  namespace: string;
  predicate?: ObjectPredicate;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResponse {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
}

/** How long a NotOlderThan read waits for the store to reach a future revision (upstream: 3 s). */
const FRESHNESS_WAIT_MS = 3_000;
const FRESHNESS_POLL_MS = 100;
/** Page size when a selector filters: read more than the limit to fill a page in fewer rounds. */
const MAX_READ_PAGE = 1_000;

export interface ReadAt {
  /** Read at this revision; undefined: the latest. */
  revision: number | undefined;
  startAfter: string | undefined;
  fromContinue: boolean;
}

/** Checks list options and decides at which revision to read (pure but for the freshness wait). */
export async function resolveReadAt(objects: ObjectStore, clock: Clock, r: ResourceInfo, req: ListRequest): Promise<ReadAt> {
  const rvText = req.resourceVersion ?? '';
  const match = req.resourceVersionMatch ?? '';
  if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (req.continueToken !== undefined && req.continueToken !== '') {
    if (match !== '') throw badRequest('resourceVersionMatch is forbidden when continue is provided');
    if (rvText !== '' && rvText !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    const state = decodeContinue(req.continueToken);
    if (r.namespaced && req.namespace !== '' && !state.lastKey.startsWith(`${req.namespace}/`)) {
      throw badRequest('invalid continue token: it belongs to another namespace');
    }
    return { revision: state.revision === 0 ? undefined : state.revision, startAfter: state.lastKey, fromContinue: true };
  }
  if (rvText === '') {
    if (match !== '') throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    return { revision: undefined, startAfter: undefined, fromContinue: false };
  }
  const rv = parseRevision(rvText);
  if (rv === undefined) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
  if (rv === 0) {
    if (match === 'Exact') throw badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    return { revision: undefined, startAfter: undefined, fromContinue: false };
  }
  const exact = match === 'Exact' || (match === '' && (req.limit ?? 0) > 0);
  await waitForRevision(objects, clock, rv);
  return { revision: exact ? rv : undefined, startAfter: undefined, fromContinue: false };
}

/** 504 "Too large resource version" when the store does not reach `rv` in time, as upstream. */
async function waitForRevision(objects: ObjectStore, clock: Clock, rv: number): Promise<void> {
  const deadline = clock.now() + FRESHNESS_WAIT_MS;
  for (;;) {
    const current = await objects.store.currentRevision();
    if (current >= rv) return;
    if (clock.now() >= deadline) {
      const err = timeout(`Too large resource version: ${rv}, current: ${current}`, 1);
      err.status.details = { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 };
      throw err;
    }
    await clock.sleep(FRESHNESS_POLL_MS);
  }
}

export async function listObjects(objects: ObjectStore, clock: Clock, r: ResourceInfo, req: ListRequest): Promise<ListResponse> {
  const at = await resolveReadAt(objects, clock, r, req);
  const limit = req.limit !== undefined && req.limit > 0 ? req.limit : 0;
  const items: KubeObject[] = [];
  let revision = at.revision;
  let startAfter = at.startAfter;
  let pageSize = limit;
  try {
    for (;;) {
      const page = await objects.list(r, req.namespace, {
        ...(revision !== undefined ? { revision } : {}),
        ...(pageSize > 0 ? { limit: pageSize } : {}),
        ...(startAfter !== undefined ? { startAfter } : {}),
      });
      revision = page.revision;
      for (let i = 0; i < page.entries.length; i++) {
        const entry = page.entries[i];
        if (entry === undefined) continue;
        if (req.predicate !== undefined && !req.predicate(entry.object)) continue;
        items.push(entry.object);
        if (limit > 0 && items.length === limit) {
          const more = i < page.entries.length - 1 || page.more;
          return respond(items, revision, more ? entry.key : undefined);
        }
      }
      const last = page.entries[page.entries.length - 1];
      if (!page.more || last === undefined) return respond(items, revision, undefined);
      startAfter = last.key;
      pageSize = Math.min(MAX_READ_PAGE, Math.max(pageSize * 2, limit));
    }
  } catch (err) {
    if (isNodeletError(err, ErrorCode.Gone)) {
      if (at.fromContinue) {
        const e = expired(CONTINUE_EXPIRED_MESSAGE);
        // Continuing at the latest revision from the same key: the rest, but not a snapshot.
        if (at.startAfter !== undefined) e.status.metadata.continue = encodeContinue({ revision: 0, lastKey: at.startAfter });
        throw e;
      }
      if (at.revision !== undefined) throw expired('The resourceVersion for the provided list is too old.');
    }
    throw toApiError(err, r);
  }
}

function respond(items: KubeObject[], revision: number, lastKey: string | undefined): ListResponse {
  const out: ListResponse = { items, resourceVersion: String(revision) };
  if (lastKey !== undefined) out.continueToken = encodeContinue({ revision, lastKey });
  return out;
}
