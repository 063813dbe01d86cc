// A container's environment as upstream kubelet makeEnvironmentVariables (kubelet_pods.go):
// envFrom first (env overrides it), then env in order with $(VAR) expansion of what is defined so
// far (and the service env), valueFrom resolved from the downward API, ConfigMaps and Secrets,
// and finally the service variables the container does not define itself.
import type { ConfigMap, Container, EnvVar, Pod, Secret } from '../../api/pod-types.js';
import { ErrorCode, NodeletError } from '../../base/errors.js';
import type { KeyValue } from '../../cri/types.js';
import { type NodeAllocatable, resolveFieldRef, resolveResourceFieldRef } from '../fieldpath.js';
import type { PodObjects } from '../objects.js';
import { expand, mappingFor } from './expand.js';

/** A warning event on the pod, with upstream's reason. */
export interface EnvWarning {
  reason: 'InvalidEnvironmentVariableNames';
  message: string;
}

export interface EnvContext {
  objects: PodObjects;
  hostIP?: string;
  hostIPs?: string[];
  podIPs: string[];
  nodeName: string;
  nodeAllocatable: NodeAllocatable;
  /** Service link variables (FOO_SERVICE_HOST, ...) for the pod's namespace; container env wins. */
  serviceEnv?: Record<string, string>;
  /** Called for keys skipped because they are not valid variable names. */
  onWarning?: (w: EnvWarning) => void;
}

// validation.IsEnvVarName (before RelaxedEnvironmentVariableValidation).
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

export function isEnvVarName(name: string): boolean {
  return ENV_VAR_NAME.test(name);
}

function notFound(message: string): NodeletError {
  return new NodeletError(ErrorCode.NotFound, message);
}

/** Per-call lookups: a ConfigMap or Secret referenced twice is read once. */
class ObjectCache {
  private readonly configMaps = new Map<string, Promise<ConfigMap | undefined>>();
  private readonly secrets = new Map<string, Promise<Secret | undefined>>();

  constructor(
    private readonly objects: PodObjects,
    private readonly namespace: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  configMap(name: string): Promise<ConfigMap | undefined> {
    let p = this.configMaps.get(name);
    if (p === undefined) {
      p = this.objects.configMap(this.namespace, name, this.signal);
      this.configMaps.set(name, p);
    }
    return p;
  }

  secret(name: string): Promise<Secret | undefined> {
    let p = this.secrets.get(name);
    if (p === undefined) {
      p = this.objects.secret(this.namespace, name, this.signal);
      this.secrets.set(name, p);
    }
    return p;
  }
}

function decodeSecretData(data: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

async function sourceData(
  cache: ObjectCache,
  kind: 'configmap' | 'secret',
  name: string,
  optional: boolean,
): Promise<Record<string, string> | undefined> {
  if (kind === 'configmap') {
    const cm = await cache.configMap(name);
    if (cm === undefined) {
      if (optional) return undefined;
      throw notFound(`configmap "${name}" not found`);
    }
    return cm.data ?? {};
  }
  const secret = await cache.secret(name);
  if (secret === undefined) {
    if (optional) return undefined;
    throw notFound(`secret "${name}" not found`);
  }
  return decodeSecretData(secret.data);
}

/** The value of one env var's valueFrom, or undefined when an optional source or key is missing. */
async function valueFrom(pod: Pod, container: Container, env: EnvVar, ctx: EnvContext, cache: ObjectCache): Promise<string | undefined> {
  const from = env.valueFrom;
  if (from === undefined) return '';
  if (from.fieldRef !== undefined) {
    const fieldCtx: Parameters<typeof resolveFieldRef>[2] = { podIPs: ctx.podIPs, nodeName: ctx.nodeName };
    if (ctx.hostIP !== undefined) fieldCtx.hostIP = ctx.hostIP;
    if (ctx.hostIPs !== undefined) fieldCtx.hostIPs = ctx.hostIPs;
    return resolveFieldRef(pod, from.fieldRef.fieldPath, fieldCtx);
  }
  if (from.resourceFieldRef !== undefined) {
    return resolveResourceFieldRef(pod, container.name, from.resourceFieldRef, ctx.nodeAllocatable);
  }
  const ns = pod.metadata.namespace;
  if (from.configMapKeyRef !== undefined) {
    const ref = from.configMapKeyRef;
    const name = ref.name ?? '';
    const data = await sourceData(cache, 'configmap', name, ref.optional === true);
    if (data === undefined) return undefined;
    const v = data[ref.key];
    if (v !== undefined && Object.hasOwn(data, ref.key)) return v;
    if (ref.optional === true) return undefined;
    throw notFound(`couldn't find key ${ref.key} in ConfigMap ${ns}/${name}`);
  }
  if (from.secretKeyRef !== undefined) {
    const ref = from.secretKeyRef;
    const name = ref.name ?? '';
    const data = await sourceData(cache, 'secret', name, ref.optional === true);
    if (data === undefined) return undefined;
    const v = data[ref.key];
    if (v !== undefined && Object.hasOwn(data, ref.key)) return v;
    if (ref.optional === true) return undefined;
    throw notFound(`couldn't find key ${ref.key} in Secret ${ns}/${name}`);
  }
  return '';
}

/**
 * The container's environment in CRI form. Throws NotFound (upstream's message) when a required
 * ConfigMap, Secret or key is missing: the caller reports CreateContainerConfigError. Order: envFrom
 * keys in source order, then env vars in declaration order (a redefined name keeps its first
 * position), then service variables the container does not define.
 */
export async function resolveEnv(pod: Pod, container: Container, ctx: EnvContext, signal?: AbortSignal): Promise<KeyValue[]> {
  const cache = new ObjectCache(ctx.objects, pod.metadata.namespace, signal);
  const serviceEnv = ctx.serviceEnv ?? {};
  const env = new Map<string, string>();

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (ref === undefined) continue;
    const kind = from.configMapRef !== undefined ? 'configmap' : 'secret';
    const name = ref.name ?? '';
    const data = await sourceData(cache, kind, name, ref.optional === true);
    if (data === undefined) continue;
    const invalid: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const k = (from.prefix ?? '') + key;
      if (!isEnvVarName(k)) {
        invalid.push(k);
        continue;
      }
      env.set(k, value);
    }
    if (invalid.length > 0) {
      const what = kind === 'configmap' ? 'configMap' : 'secret';
      ctx.onWarning?.({
        reason: 'InvalidEnvironmentVariableNames',
        message: `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} ${pod.metadata.namespace}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  const mapping = mappingFor(env, serviceEnv);
  for (const v of container.env ?? []) {
    let value: string | undefined;
    if (v.value !== undefined && v.value !== '') value = expand(v.value, mapping);
    else if (v.valueFrom !== undefined) value = await valueFrom(pod, container, v, ctx, cache);
    else value = '';
    if (value === undefined) continue; // an optional source or key that does not exist
    env.set(v.name, value);
  }

  const out: KeyValue[] = [...env].map(([key, value]) => ({ key, value }));
  for (const [key, value] of Object.entries(serviceEnv)) {
    if (!env.has(key)) out.push({ key, value });
  }
  return out;
}
