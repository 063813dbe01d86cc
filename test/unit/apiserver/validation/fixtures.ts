// Valid, defaulted objects the validation tests mutate one field at a time.
import { applyDefaults } from '../../../../src/apiserver/defaults/index.js';
import { causeText, validateObject } from '../../../../src/apiserver/validation/index.js';
import type { JsonObject, KubeObject } from '../../../../src/api/object.js';

export function kube(o: JsonObject): KubeObject {
  return o as unknown as KubeObject;
}

export function json(o: KubeObject): JsonObject {
  return o as unknown as JsonObject;
}

export function defaulted(resource: string, o: JsonObject): KubeObject {
  const k = kube(structuredClone(o));
  applyDefaults(resource, k);
  return k;
}

export function pod(): KubeObject {
  return defaulted('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, name: 'http' }], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  });
}

export function service(): KubeObject {
  return defaulted('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }], clusterIP: '10.96.0.20' },
  });
}

export function deployment(): KubeObject {
  return defaulted('deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  });
}

/** The causes as upstream's error strings, for compact expectations. */
export function texts(resource: string, obj: KubeObject, old?: KubeObject): string[] {
  return validateObject(resource, obj, old).map(causeText);
}

/** Applies `edit` to a copy of `base`. */
export function edited(base: KubeObject, edit: (o: JsonObject) => void): KubeObject {
  const copy = json(structuredClone(base));
  edit(copy);
  return kube(copy);
}

export function at<T>(list: T[] | undefined, i: number): T {
  const v = list?.[i];
  if (v === undefined) throw new Error(`no element ${i}`);
  return v;
}
