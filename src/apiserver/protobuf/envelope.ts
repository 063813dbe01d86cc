// Request bodies in `application/vnd.kubernetes.protobuf` (what client-go, and so kubectl's
// generators, send for built-in kinds): the magic `k8s\0`, then a runtime.Unknown whose typeMeta
// names the kind and whose raw bytes are the object's message. The object is decoded into the JSON
// object the JSON path would have received; responses stay JSON.
import type { JsonObject } from '../../api/object.js';
import { ApiError, badRequest } from '../status.js';
import { decodeMessage, type MessageRegistry } from './decode.js';
import type { MessageSpec } from './schema.js';
import { APPS_V1 } from './tables-apps.js';
import { CORE_V1 } from './tables-core.js';
import { ENVELOPE, META_V1 } from './tables-meta.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** apiVersion/kind → the message name of the object. */
export const PROTOBUF_KINDS: ReadonlyMap<string, string> = new Map([
  ['v1/Namespace', 'Namespace'],
  ['v1/ConfigMap', 'ConfigMap'],
  ['v1/Secret', 'Secret'],
  ['v1/ServiceAccount', 'ServiceAccount'],
  ['v1/Service', 'Service'],
  ['v1/Pod', 'Pod'],
  ['apps/v1/Deployment', 'Deployment'],
  ['apps/v1/ReplicaSet', 'ReplicaSet'],
]);

function mergeRegistries(...parts: ReadonlyMap<string, MessageSpec>[]): MessageRegistry {
  const out = new Map<string, MessageSpec>();
  for (const part of parts) {
    for (const [name, spec] of part) {
      if (out.has(name)) throw new Error(`protobuf schema: message ${name} is defined twice`);
      out.set(name, spec);
    }
  }
  return out;
}

export const REGISTRY: MessageRegistry = mergeRegistries(ENVELOPE, META_V1, CORE_V1, APPS_V1);

function unsupported(why: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - ${why}; send it as application/json`);
}

/** The object in a Kubernetes protobuf body, as JSON with apiVersion and kind set. */
export function decodeProtobufBody(body: Buffer): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw unsupported(`a ${PROTOBUF_MEDIA_TYPE} body starts with the bytes "k8s\\x00"`);
  }
  const unknown = decodeMessage(body.subarray(MAGIC.length), 'Unknown', REGISTRY);
  const typeMeta = unknown.typeMeta;
  const apiVersion = typeof typeMeta === 'object' && typeMeta !== null && !Array.isArray(typeMeta) ? typeMeta.apiVersion : undefined;
  const kind = typeof typeMeta === 'object' && typeMeta !== null && !Array.isArray(typeMeta) ? typeMeta.kind : undefined;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw badRequest('protobuf: the envelope (runtime.Unknown) carries no apiVersion and kind');
  }
  const encoding = unknown.contentEncoding;
  if (typeof encoding === 'string' && encoding !== '') throw unsupported(`content encoding "${encoding}" is not supported`);
  const type = PROTOBUF_KINDS.get(`${apiVersion}/${kind}`);
  if (type === undefined) throw unsupported(`this server decodes protobuf only for ${[...PROTOBUF_KINDS.keys()].join(', ')}, not ${apiVersion}/${kind}`);
  const raw = typeof unknown.raw === 'string' ? Buffer.from(unknown.raw, 'base64') : Buffer.alloc(0);
  return { apiVersion, kind, ...decodeMessage(raw, type, REGISTRY) };
}
