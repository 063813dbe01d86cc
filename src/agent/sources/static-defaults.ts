// The defaults kube-apiserver would give a pod (core/v1 defaults.go), applied by the agent to static
// pod manifests, which never pass through an apiserver. Works on raw JSON before parsePod, so that
// what runs is what `kubectl get pod -o yaml` of the mirror pod shows. Only the pod-spec defaults:
// the admission ones (serviceAccountName, priority) do not apply to static pods upstream either.
import { ensureObject, objectAt, objectsAt, setDefault, stringAt } from '../../api/json.js';
import type { JsonObject } from '../../api/object.js';

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
  if (httpGet === undefined) return;
  setDefault(httpGet, 'path', '/');
  setDefault(httpGet, 'scheme', 'HTTP');
}

const PROBE_DEFAULTS = [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const;

function defaultProbe(probe: JsonObject | undefined): void {
  if (probe === undefined) return;
  // Upstream treats 0 like unset for these (the API's minimum is 1).
  for (const [key, value] of PROBE_DEFAULTS) if (probe[key] === undefined || probe[key] === null || probe[key] === 0) probe[key] = value;
  defaultHandler(probe);
}

function defaultFieldRef(holder: JsonObject | undefined): void {
  const fieldRef = objectAt(holder, 'fieldRef');
  if (fieldRef !== undefined) setDefault(fieldRef, 'apiVersion', 'v1');
}

function defaultContainer(c: JsonObject): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(stringAt(c, 'image') ?? ''));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of objectsAt(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const env of objectsAt(c, 'env')) defaultFieldRef(objectAt(env, 'valueFrom'));
  defaultProbe(objectAt(c, 'livenessProbe'));
  defaultProbe(objectAt(c, 'readinessProbe'));
  defaultProbe(objectAt(c, 'startupProbe'));
  const lifecycle = objectAt(c, 'lifecycle');
  defaultHandler(objectAt(lifecycle, 'postStart'));
  defaultHandler(objectAt(lifecycle, 'preStop'));
}

const VOLUME_SOURCE_KEYS = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

/** 0644, the mode upstream gives files projected from secrets, config maps and the downward API. */
const DEFAULT_MODE = 0o644;

function defaultVolume(v: JsonObject): void {
  // A volume without a source is an emptyDir (SetDefaults_Volume).
  if (!VOLUME_SOURCE_KEYS.some((k) => v[k] !== undefined && v[k] !== null)) v['emptyDir'] = {};
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

/** SetDefaults_Pod + SetDefaults_PodSpec and what the spec contains, in place on raw JSON. */
export function applyApiDefaults(pod: JsonObject): void {
  const spec = ensureObject(pod, 'spec');
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
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
  for (const key of ['initContainers', 'containers']) for (const c of objectsAt(spec, key)) defaultContainer(c);
  for (const v of objectsAt(spec, 'volumes')) defaultVolume(v);
}
