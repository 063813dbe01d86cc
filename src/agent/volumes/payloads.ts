// What a configMap, secret, downwardAPI or projected volume should contain, computed from the pod
// and the objects it references (upstream's MakePayload / CollectData). Pure: fetching the objects
// and writing the files happen elsewhere. Messages follow upstream kubelet's.
import { ErrorCode, NodeletError } from '../../base/errors.js';
import type { ConfigMap, DownwardApiFile, KeyToPath, Pod, Secret } from '../../api/pod-types.js';
import { resolveFieldRef, resolveResourceFieldRef } from '../fieldpath.js';
import type { FileProjection } from './atomic-writer.js';

export const DEFAULT_MODE = 0o644;

export type Payload = Map<string, FileProjection>;

export interface DownwardContext {
  podIPs: string[];
  hostIP?: string;
  nodeAllocatable: { cpu: string; memory: string };
}

/** A file mode from the pod spec: an integer 0..0777 (upstream validation), or the default. */
export function fileMode(mode: number | undefined, fallback: number): number {
  if (mode === undefined) return fallback;
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new NodeletError(ErrorCode.InvalidArgument, `invalid file mode ${mode}: must be a number between 0 and 0777 (octal)`);
  }
  return mode;
}

export function configMapNotFound(name: string): NodeletError {
  return new NodeletError(ErrorCode.NotFound, `configmap "${name}" not found`);
}

export function secretNotFound(name: string): NodeletError {
  return new NodeletError(ErrorCode.NotFound, `secret "${name}" not found`);
}

/** Files of a ConfigMap (data as UTF-8, binaryData base64-decoded); undefined means an optional one that does not exist. */
export function configMapPayload(cm: ConfigMap | undefined, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  const lookup = (key: string): Buffer | undefined => {
    const text = cm?.data?.[key];
    if (text !== undefined) return Buffer.from(text, 'utf8');
    const bin = cm?.binaryData?.[key];
    return bin === undefined ? undefined : Buffer.from(bin, 'base64');
  };
  const keys = [...Object.keys(cm?.data ?? {}), ...Object.keys(cm?.binaryData ?? {})];
  return keyedPayload(keys, lookup, items, defaultMode, optional, (key) => `configmap references non-existent config key: ${key}`);
}

/** Files of a Secret (values base64-decoded); undefined means an optional one that does not exist. */
export function secretPayload(secret: Secret | undefined, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  const lookup = (key: string): Buffer | undefined => {
    const b64 = secret?.data?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
  };
  return keyedPayload(Object.keys(secret?.data ?? {}), lookup, items, defaultMode, optional, (key) => `references non-existent secret key: ${key}`);
}

function keyedPayload(
  keys: string[],
  lookup: (key: string) => Buffer | undefined,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missing: (key: string) => string,
): Payload {
  const payload: Payload = new Map();
  if (items === undefined || items.length === 0) {
    for (const key of keys) {
      const data = lookup(key);
      if (data !== undefined) payload.set(key, { data, mode: defaultMode });
    }
    return payload;
  }
  for (const item of items) {
    const data = lookup(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new NodeletError(ErrorCode.NotFound, missing(item.key));
    }
    payload.set(item.path, { data, mode: fileMode(item.mode, defaultMode) });
  }
  return payload;
}

/** Files of a downwardAPI volume or projection: pod fields and container resources. */
export function downwardApiPayload(pod: Pod, items: DownwardApiFile[] | undefined, defaultMode: number, ctx: DownwardContext): Payload {
  const payload: Payload = new Map();
  const fieldCtx = { podIPs: ctx.podIPs, nodeName: pod.spec.nodeName, ...(ctx.hostIP === undefined ? {} : { hostIP: ctx.hostIP }) };
  for (const item of items ?? []) {
    const mode = fileMode(item.mode, defaultMode);
    let value: string;
    if (item.fieldRef !== undefined) {
      value = resolveFieldRef(pod, item.fieldRef.fieldPath, fieldCtx);
    } else if (item.resourceFieldRef !== undefined) {
      value = resolveResourceFieldRef(pod, item.resourceFieldRef.containerName ?? '', item.resourceFieldRef, ctx.nodeAllocatable);
    } else {
      throw new NodeletError(ErrorCode.InvalidArgument, `downwardAPI item "${item.path}" has neither fieldRef nor resourceFieldRef`);
    }
    payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode });
  }
  return payload;
}

/** Adds `from` into `into`; a later source overwrites an earlier one on the same path, as upstream. */
export function mergePayload(into: Payload, from: Payload): void {
  for (const [p, f] of from) into.set(p, f);
}
