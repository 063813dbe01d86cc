// Collects the files of a configMap, secret, downwardAPI or projected volume: fetches the objects
// the volume references (a missing one is an error unless the source is optional) and builds the
// payload. Called on every pod sync, so changed objects reach the volume.
import { ErrorCode, NodeletError } from '../../base/errors.js';
import type { KeyToPath, Pod, Volume } from '../../api/pod-types.js';
import type { PodObjects } from '../objects.js';
import {
  DEFAULT_MODE,
  configMapNotFound,
  configMapPayload,
  downwardApiPayload,
  fileMode,
  mergePayload,
  secretNotFound,
  secretPayload,
  type DownwardContext,
  type Payload,
} from './payloads.js';

export interface ContentDeps {
  objects: PodObjects;
  log: { warn(message: string, meta?: Record<string, unknown>): void };
}

function requireName(kind: string, name: string | undefined): string {
  if (name === undefined || name === '') throw new NodeletError(ErrorCode.InvalidArgument, `${kind} name is required`);
  return name;
}

async function fetchConfigMapPayload(
  deps: ContentDeps,
  pod: Pod,
  src: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number,
  signal?: AbortSignal,
): Promise<Payload> {
  const name = requireName('configMap', src.name);
  const cm = await deps.objects.configMap(pod.metadata.namespace, name, signal);
  if (cm === undefined && src.optional !== true) throw configMapNotFound(name);
  return configMapPayload(cm, src.items, defaultMode, src.optional === true);
}

async function fetchSecretPayload(
  deps: ContentDeps,
  pod: Pod,
  name: string | undefined,
  src: { items?: KeyToPath[]; optional?: boolean },
  defaultMode: number,
  signal?: AbortSignal,
): Promise<Payload> {
  const n = requireName('secret', name);
  const secret = await deps.objects.secret(pod.metadata.namespace, n, signal);
  if (secret === undefined && src.optional !== true) throw secretNotFound(n);
  return secretPayload(secret, src.items, defaultMode, src.optional === true);
}

/** The files a projecting volume should hold; undefined for volumes that are not projected kinds. */
export async function volumeContents(deps: ContentDeps, pod: Pod, vol: Volume, ctx: DownwardContext, signal?: AbortSignal): Promise<Payload | undefined> {
  if (vol.configMap !== undefined) {
    return fetchConfigMapPayload(deps, pod, vol.configMap, fileMode(vol.configMap.defaultMode, DEFAULT_MODE), signal);
  }
  if (vol.secret !== undefined) {
    return fetchSecretPayload(deps, pod, vol.secret.secretName, vol.secret, fileMode(vol.secret.defaultMode, DEFAULT_MODE), signal);
  }
  if (vol.downwardAPI !== undefined) {
    return downwardApiPayload(pod, vol.downwardAPI.items, fileMode(vol.downwardAPI.defaultMode, DEFAULT_MODE), ctx);
  }
  if (vol.projected !== undefined) {
    const defaultMode = fileMode(vol.projected.defaultMode, DEFAULT_MODE);
    const payload: Payload = new Map();
    for (const source of vol.projected.sources ?? []) {
      if (source.configMap !== undefined) {
        mergePayload(payload, await fetchConfigMapPayload(deps, pod, source.configMap, defaultMode, signal));
      } else if (source.secret !== undefined) {
        mergePayload(payload, await fetchSecretPayload(deps, pod, source.secret.name, source.secret, defaultMode, signal));
      } else if (source.downwardAPI !== undefined) {
        mergePayload(payload, downwardApiPayload(pod, source.downwardAPI.items, defaultMode, ctx));
      } else if (source.serviceAccountToken !== undefined) {
        // The TokenRequest API is not wired into the agent yet: the file is left out, not faked.
        deps.log.warn('projected volume: serviceAccountToken sources are not supported yet; skipping the file', {
          pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
          volume: vol.name,
          path: source.serviceAccountToken.path,
        });
      }
    }
    return payload;
  }
  return undefined;
}
