// Pod defaults of the core/v1 API scheme (upstream pkg/apis/core/v1/defaults.go and the
// declarative `+default` tags), on raw JSON. The apiserver applies them to every new pod (and adds
// what admission gives, see apiserver/defaults/pod.ts); the agent applies them to static pod
// manifests, which never pass through an apiserver, so what runs is what the mirror pod shows.
import { ensureObject, objectAt, objectsAt, setDefault, stringAt } from './json.js';
import type { JsonObject } from './object.js';

/** Always for `:latest` or an untagged, undigested reference; IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const lastColon = image.lastIndexOf(':');
  const tag = lastColon > lastSlash ? image.slice(lastColon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(handler: JsonObject | undefined): void {
  const httpGet = objectAt(handler, 'httpGet');
  if (httpGet !== undefined) {
    setDefault(httpGet, 'path', '/');
    setDefault(httpGet, 'scheme', 'HTTP');
  }
}

function defaultProbe(probe: JsonObject | undefined): void {
  if (probe === undefined) return;
  for (const [key, value] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (probe[key] === undefined || probe[key] === null || probe[key] === 0) probe[key] = value;
  }
  defaultHandler(probe);
  const grpc = objectAt(probe, 'grpc');
  if (grpc !== undefined) setDefault(grpc, 'service', '');
}

function defaultFieldRef(holder: JsonObject | undefined): void {
  const fieldRef = objectAt(holder, 'fieldRef');
  if (fieldRef !== undefined) setDefault(fieldRef, 'apiVersion', 'v1');
}

export function defaultContainer(c: JsonObject): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(stringAt(c, 'image') ?? ''));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  // A Go struct, not a pointer: upstream always serializes it, empty or not.
  setDefault(c, 'resources', {});
  for (const port of objectsAt(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const env of objectsAt(c, 'env')) defaultFieldRef(objectAt(env, 'valueFrom'));
  defaultProbe(objectAt(c, 'livenessProbe'));
  defaultProbe(objectAt(c, 'readinessProbe'));
  defaultProbe(objectAt(c, 'startupProbe'));
  const lifecycle = objectAt(c, 'lifecycle');
  defaultHandler(objectAt(lifecycle, 'postStart'));
  defaultHandler(objectAt(lifecycle, 'preStop'));
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

/** The volume source fields set on a volume (exactly one is valid). */
export function volumeSources(volume: JsonObject): string[] {
  return VOLUME_SOURCES.filter((s) => volume[s] !== undefined && volume[s] !== null);
}

/** 0644, the mode upstream gives files projected from secrets, config maps and the downward API. */
const DEFAULT_MODE = 0o644;

export function defaultVolume(v: JsonObject): void {
  if (volumeSources(v).length === 0) v['emptyDir'] = {};
  for (const source of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const s = objectAt(v, source);
    if (s !== undefined) setDefault(s, 'defaultMode', DEFAULT_MODE);
  }
  for (const item of objectsAt(objectAt(v, 'downwardAPI'), 'items')) defaultFieldRef(item);
  const hostPath = objectAt(v, 'hostPath');
  if (hostPath !== undefined) setDefault(hostPath, 'type', '');
  for (const source of objectsAt(objectAt(v, 'projected'), 'sources')) {
    const token = objectAt(source, 'serviceAccountToken');
    if (token !== undefined) setDefault(token, 'expirationSeconds', 3600);
    for (const item of objectsAt(objectAt(source, 'downwardAPI'), 'items')) defaultFieldRef(item);
  }
}

/** SetDefaults_PodSpec and the defaults of what a pod spec contains; for pods and templates. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of objectsAt(spec, key)) defaultContainer(c);
  }
  for (const v of objectsAt(spec, 'volumes')) defaultVolume(v);
}

/** A PodTemplateSpec (deployments, replicasets): spec defaults only, not the pod-only ones. */
export function defaultPodTemplate(template: JsonObject): void {
  ensureObject(template, 'metadata');
  defaultPodSpec(ensureObject(template, 'spec'));
}

/** requests default to limits for what a container limits but does not request. */
export function defaultRequestsFromLimits(c: JsonObject): void {
  const resources = objectAt(c, 'resources');
  const limits = objectAt(resources, 'limits');
  if (resources === undefined || limits === undefined) return;
  const requests = ensureObject(resources, 'requests');
  for (const [name, value] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = value;
}

/** SetDefaults_Pod and the spec defaults: everything the scheme gives a pod (no admission). */
export function schemeDefaultPod(pod: JsonObject): void {
  const spec = ensureObject(pod, 'spec');
  for (const key of ['initContainers', 'containers']) for (const c of objectsAt(spec, key)) defaultRequestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec['hostNetwork'] === true) {
    // With host networking the host port is the container port.
    for (const key of ['initContainers', 'containers']) {
      for (const c of objectsAt(spec, key)) {
        for (const port of objectsAt(c, 'ports')) {
          if (port['hostPort'] === undefined || port['hostPort'] === null || port['hostPort'] === 0) port['hostPort'] = port['containerPort'] ?? 0;
        }
      }
    }
  }
  defaultPodSpec(spec);
}
