// Shared pod builder for the runtime-config tests.
import type { Container, Pod, PodSpec } from '../../../../src/api/pod-types.js';

export function makePod(spec: Partial<PodSpec> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'ns1', uid: 'uid-1', ...meta },
    spec: { containers: [{ name: 'app', image: 'nodelet.local/busybox:1.35' }], ...spec },
  };
}

export function withResources(name: string, limits?: Record<string, string>, requests?: Record<string, string>): Container {
  const c: Container = { name, image: 'img' };
  if (limits !== undefined || requests !== undefined) {
    c.resources = {};
    if (limits !== undefined) c.resources.limits = limits;
    if (requests !== undefined) c.resources.requests = requests;
  }
  return c;
}
