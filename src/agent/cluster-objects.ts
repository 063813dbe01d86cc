// PodObjects over the apiserver (cluster mode) and for standalone mode, where there is no cluster
// to hold ConfigMaps or Secrets.
import type { KubeClient } from '../api/client/types.js';
import { ErrorCode, NodeletError, isNodeletError } from '../base/errors.js';
import { isJsonObject } from '../api/object.js';
import type { ConfigMap, Secret } from '../api/pod-types.js';
import type { PodObjects } from './objects.js';

function stringMap(value: unknown, what: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new NodeletError(ErrorCode.InvalidArgument, `${what}: not a map`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new NodeletError(ErrorCode.InvalidArgument, `${what}.${k}: not a string`);
    out[k] = v;
  }
  return out;
}

export function clusterObjects(client: KubeClient): PodObjects {
  const get = async (path: string, signal?: AbortSignal) => {
    try {
      return await client.get(path, { signal });
    } catch (err) {
      if (isNodeletError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  return {
    async configMap(namespace, name, signal): Promise<ConfigMap | undefined> {
      const obj = await get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`, signal);
      if (obj === undefined) return undefined;
      const data = stringMap(obj['data'], `configmap ${namespace}/${name} data`);
      const binaryData = stringMap(obj['binaryData'], `configmap ${namespace}/${name} binaryData`);
      return { metadata: obj.metadata, ...(data === undefined ? {} : { data }), ...(binaryData === undefined ? {} : { binaryData }) };
    },
    async secret(namespace, name, signal): Promise<Secret | undefined> {
      const obj = await get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`, signal);
      if (obj === undefined) return undefined;
      const data = stringMap(obj['data'], `secret ${namespace}/${name} data`);
      const type = typeof obj['type'] === 'string' ? obj['type'] : undefined;
      return { metadata: obj.metadata, ...(data === undefined ? {} : { data }), ...(type === undefined ? {} : { type }) };
    },
  };
}

/** Standalone mode: static pods cannot reference cluster objects; every lookup finds nothing. */
export const noClusterObjects: PodObjects = {
  configMap: () => Promise.resolve(undefined),
  secret: () => Promise.resolve(undefined),
};
