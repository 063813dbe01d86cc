// Parser for core/v1 Volume. The agent implements emptyDir, hostPath, configMap, secret,
// downwardAPI and projected; a volume with any other upstream source (persistentVolumeClaim, nfs,
// csi, ...) is kept with `unsupported: '<source>'` so the agent can report it on the pod instead of
// the whole pod being rejected.
import type { DownwardApiFile, KeyToPath, ProjectionSource, Volume } from './pod-types.js';
import { objectFieldSelector, resourceFieldSelector } from './pod-parse-container.js';
import {
  arrayOf,
  bool,
  intRange,
  invalid,
  join,
  object,
  oneOf,
  opt,
  quantity,
  refine,
  req,
  requireObject,
  str,
} from './pod-parse-schema.js';
import type { Parser } from './pod-parse-schema.js';

const SUPPORTED = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected'] as const;

/** Upstream's other VolumeSource fields (core/v1 types.go), in its order. */
const OTHER_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim',
  'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

const mode = intRange(0, 0o777);
const keyToPath: Parser<KeyToPath> = object({ key: req(str), path: req(str), mode: opt(mode) });
const downwardApiFile: Parser<DownwardApiFile> = object({
  path: req(str),
  fieldRef: opt(objectFieldSelector),
  resourceFieldRef: opt(resourceFieldSelector),
  mode: opt(mode),
});
const items = arrayOf(keyToPath);

const projectionSource: Parser<ProjectionSource> = object({
  configMap: opt(object({ name: opt(str), items: opt(items), optional: opt(bool) })),
  secret: opt(object({ name: opt(str), items: opt(items), optional: opt(bool) })),
  downwardAPI: opt(object({ items: opt(arrayOf(downwardApiFile)) })),
  serviceAccountToken: opt(object({ audience: opt(str), expirationSeconds: opt(intRange(0, 2 ** 31 - 1)), path: req(str) })),
});

const sources = {
  emptyDir: object({ medium: opt(oneOf('', 'Memory')), sizeLimit: opt(quantity) }),
  hostPath: object({
    path: req(str),
    type: opt(oneOf('', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice')),
  }),
  configMap: object({ name: opt(str), items: opt(items), defaultMode: opt(mode), optional: opt(bool) }),
  secret: object({ secretName: opt(str), items: opt(items), defaultMode: opt(mode), optional: opt(bool) }),
  downwardAPI: object({ items: opt(arrayOf(downwardApiFile)), defaultMode: opt(mode) }),
  projected: object({ sources: opt(arrayOf(projectionSource)), defaultMode: opt(mode) }),
} satisfies { [K in (typeof SUPPORTED)[number]]: Parser<NonNullable<Volume[K]>> };

const present = (o: Record<string, unknown>, k: string): boolean => o[k] !== undefined && o[k] !== null;

export const volume: Parser<Volume> = refine(
  (v, path) => {
    const o = requireObject(v, path);
    if (!present(o, 'name')) throw invalid(join(path, 'name'), 'required');
    const name = str(o['name'], join(path, 'name'));
    const supported = SUPPORTED.filter((k) => present(o, k));
    const other = OTHER_SOURCES.filter((k) => present(o, k));
    if (supported.length + other.length > 1) {
      throw invalid(path, `may not specify more than 1 volume type (found ${[...supported, ...other].join(', ')})`);
    }
    const [first] = other;
    if (first !== undefined) return { name, unsupported: first };
    const [kind] = supported;
    if (kind === undefined) throw invalid(path, 'must specify a volume type');
    const out: Volume = { name };
    const p = join(path, kind);
    switch (kind) {
      case 'emptyDir': out.emptyDir = sources.emptyDir(o[kind], p); break;
      case 'hostPath': out.hostPath = sources.hostPath(o[kind], p); break;
      case 'configMap': out.configMap = sources.configMap(o[kind], p); break;
      case 'secret': out.secret = sources.secret(o[kind], p); break;
      case 'downwardAPI': out.downwardAPI = sources.downwardAPI(o[kind], p); break;
      case 'projected': out.projected = sources.projected(o[kind], p); break;
    }
    return out;
  },
  (v, path) => {
    if (v.name === '') throw invalid(join(path, 'name'), 'must not be empty');
  },
);
