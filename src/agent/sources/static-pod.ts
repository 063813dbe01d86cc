// A static pod manifest (YAML or JSON, one Pod) turned into the Pod the agent runs, as upstream's
// pkg/kubelet/config common.go does: the uid is a hash of the manifest, the node name and the file
// (stable across agent restarts, new when the file changes), the name gets `-<nodeName>`, the
// namespace defaults to "default", spec.nodeName is this node, a toleration of every NoExecute
// taint is added, and the config.{source,hash,seen} annotations are set. Then the apiserver's
// defaults, then parsePod. Pure: the file source does the reading.
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { ensureObject, objectsAt, stringAt } from '../../api/json.js';
import { isJsonObject } from '../../api/object.js';
import type { JsonObject, JsonValue } from '../../api/object.js';
import { parsePod } from '../../api/pod-parse.js';
import type { Pod } from '../../api/pod-types.js';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';
import { SourceAnnotation } from '../labels.js';
import { applyApiDefaults } from './static-defaults.js';

export interface StaticPodContext {
  nodeName: string;
  /** The manifest's path: part of the uid, as upstream hashes `file:<path>`. */
  file: string;
  /** Epoch ms for the config.seen annotation. */
  now: number;
}

/** YAML 1.1 as upstream's sigs.k8s.io/yaml reads it (0644 is octal), but timestamps stay strings. */
export function parseManifest(text: string): JsonValue {
  let value: unknown;
  try {
    value = YAML.parse(text, {
      version: '1.1',
      customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
    });
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidArgument, `invalid YAML or JSON: ${errorMessage(err).split('\n')[0] ?? ''}`, { cause: err });
  }
  // Round trip: what a JSON decoder would see (drops undefined, rejects nothing JSON cannot hold).
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}

/** JSON with sorted keys, so that key order and formatting do not change the hash. */
function canonical(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isJsonObject(v)) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k] ?? null)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** md5 hex of the manifest's content, `host:<nodeName>` and `file:<path>` (upstream's inputs). */
export function staticPodUid(manifest: JsonValue, nodeName: string, file: string): string {
  return createHash('md5').update(canonical(manifest)).update(`host:${nodeName}`).update(`file:${file}`).digest('hex');
}

/** helper.AddOrUpdateTolerationInPod with {operator: Exists, effect: NoExecute}. */
function addNoExecuteToleration(spec: JsonObject): void {
  const existing = objectsAt(spec, 'tolerations');
  const same = existing.some(
    (t) => stringAt(t, 'operator') === 'Exists' && stringAt(t, 'effect') === 'NoExecute' && (stringAt(t, 'key') ?? '') === '' && t['tolerationSeconds'] === undefined,
  );
  if (same) return;
  const list = Array.isArray(spec['tolerations']) ? spec['tolerations'] : [];
  spec['tolerations'] = [...list, { operator: 'Exists', effect: 'NoExecute' }];
}

/** The object under `key`, created when absent; a value of another type is an error, not replaced. */
function objectField(o: JsonObject, key: string, path: string): JsonObject {
  const v = o[key];
  if (v !== undefined && v !== null && !isJsonObject(v)) throw new NodeletError(ErrorCode.InvalidArgument, `${path}: must be an object`);
  return ensureObject(o, key);
}

/** The static pod from a manifest's text; throws InvalidArgument (YAML, not a Pod, bad fields). */
export function staticPodFromManifest(text: string, ctx: StaticPodContext): Pod {
  const manifest = parseManifest(text);
  if (!isJsonObject(manifest)) throw new NodeletError(ErrorCode.InvalidArgument, 'not a Pod manifest: expected an object');
  if (manifest['kind'] !== 'Pod' || manifest['apiVersion'] !== 'v1') {
    throw new NodeletError(
      ErrorCode.InvalidArgument,
      `not a Pod manifest: apiVersion ${JSON.stringify(manifest['apiVersion'] ?? '')}, kind ${JSON.stringify(manifest['kind'] ?? '')} (want v1 Pod)`,
    );
  }
  const pod = structuredClone(manifest);
  const meta = objectField(pod, 'metadata', 'metadata');
  const declaredUid = stringAt(meta, 'uid');
  // Upstream keeps a uid the manifest sets; otherwise the content hash is the uid.
  const uid = declaredUid !== undefined && declaredUid !== '' ? declaredUid : staticPodUid(manifest, ctx.nodeName, ctx.file);
  meta['uid'] = uid;
  const name = stringAt(meta, 'name');
  if (name !== undefined && name !== '') meta['name'] = `${name}-${ctx.nodeName.toLowerCase()}`;
  const namespace = stringAt(meta, 'namespace');
  if (namespace === undefined || namespace === '') meta['namespace'] = 'default';
  const annotations = objectField(meta, 'annotations', 'metadata.annotations');
  annotations[SourceAnnotation.source] = 'file';
  annotations[SourceAnnotation.hash] = uid;
  annotations[SourceAnnotation.seen] = new Date(ctx.now).toISOString();
  const spec = objectField(pod, 'spec', 'spec');
  spec['nodeName'] = ctx.nodeName;
  addNoExecuteToleration(spec);
  applyApiDefaults(pod);
  // A manifest's status is not the agent's to trust; the pod workers compute it.
  delete pod['status'];
  return parsePod(pod);
}
