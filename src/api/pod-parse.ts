// parsePod: untrusted JSON (an apiserver reply, a static pod manifest) validated into the Pod type.
// Every field the type declares is type-checked; unknown fields are dropped from the result (the raw
// object still has them). Beyond types it checks what the agent relies on: apiVersion/kind, a
// named/namespaced/uid'd pod, at least one container, unique container and volume names, and volume
// mounts that name a volume. Static pods get their namespace and uid assigned before parsing.
import type { Pod, PodSpec, Volume } from './pod-types.js';
import { container } from './pod-parse-container.js';
import {
  arrayOf,
  bool,
  int,
  invalid,
  literal,
  mapOf,
  nonNegInt,
  object,
  oneOf,
  opt,
  refine,
  req,
  str,
} from './pod-parse-schema.js';
import type { Parser } from './pod-parse-schema.js';
import { objectMetaFields, podStatus } from './pod-parse-status.js';
import { volume } from './pod-parse-volume.js';

const strings = arrayOf(str);

const podSpecFields = object({
  containers: req(arrayOf(container)),
  initContainers: opt(arrayOf(container)),
  volumes: opt(arrayOf(volume)),
  restartPolicy: opt(oneOf('Always', 'OnFailure', 'Never')),
  terminationGracePeriodSeconds: opt(nonNegInt),
  activeDeadlineSeconds: opt(int),
  dnsPolicy: opt(oneOf('ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None')),
  dnsConfig: opt(
    object({
      nameservers: opt(strings),
      searches: opt(strings),
      options: opt(arrayOf(object({ name: req(str), value: opt(str) }))),
    }),
  ),
  nodeName: opt(str),
  nodeSelector: opt(mapOf(str)),
  serviceAccountName: opt(str),
  automountServiceAccountToken: opt(bool),
  hostNetwork: opt(bool),
  hostPID: opt(bool),
  hostIPC: opt(bool),
  hostname: opt(str),
  subdomain: opt(str),
  hostAliases: opt(arrayOf(object({ ip: req(str), hostnames: opt(strings) }))),
  securityContext: opt(
    object({
      runAsUser: opt(nonNegInt),
      runAsGroup: opt(nonNegInt),
      runAsNonRoot: opt(bool),
      fsGroup: opt(nonNegInt),
      supplementalGroups: opt(arrayOf(nonNegInt)),
      sysctls: opt(arrayOf(object({ name: req(str), value: req(str) }))),
    }),
  ),
  priority: opt(int),
  priorityClassName: opt(str),
  schedulerName: opt(str),
  tolerations: opt(
    arrayOf(
      object({
        key: opt(str),
        operator: opt(oneOf('Exists', 'Equal')),
        value: opt(str),
        effect: opt(str),
        tolerationSeconds: opt(int),
      }),
    ),
  ),
  enableServiceLinks: opt(bool),
  runtimeClassName: opt(str),
});

function checkUnique(names: string[], path: (i: number) => string): void {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw invalid(path(i), `Duplicate value: ${JSON.stringify(n)}`);
    seen.add(n);
  });
}

function checkSpec(spec: PodSpec, path: string): void {
  if (spec.containers.length === 0) throw invalid(`${path}.containers`, 'must have at least one container');
  const init = spec.initContainers ?? [];
  checkUnique([...spec.containers, ...init].map((c) => c.name), (i) =>
    i < spec.containers.length ? `${path}.containers[${i}].name` : `${path}.initContainers[${i - spec.containers.length}].name`,
  );
  const volumes: Volume[] = spec.volumes ?? [];
  checkUnique(volumes.map((v) => v.name), (i) => `${path}.volumes[${i}].name`);
  const names = new Set(volumes.map((v) => v.name));
  for (const [key, list] of [['containers', spec.containers], ['initContainers', init]] as const) {
    list.forEach((c, ci) => {
      (c.volumeMounts ?? []).forEach((m, mi) => {
        if (!names.has(m.name)) throw invalid(`${path}.${key}[${ci}].volumeMounts[${mi}].name`, `Not found: ${JSON.stringify(m.name)}`);
      });
    });
  }
}

export const podSpec: Parser<PodSpec> = refine(podSpecFields, checkSpec);

const nonEmpty: Parser<string> = refine(str, (s, path) => {
  if (s === '') throw invalid(path, 'required');
});

const pod: Parser<Pod> = object({
  apiVersion: req(literal('v1')),
  kind: req(literal('Pod')),
  metadata: req(object({ ...objectMetaFields, name: req(nonEmpty), namespace: req(nonEmpty), uid: req(nonEmpty) })),
  spec: req(podSpec),
  status: opt(podStatus),
});

/** Validates `value` into a Pod; throws NodeletError InvalidArgument naming the first bad field. */
export function parsePod(value: unknown): Pod {
  return pod(value, '');
}
