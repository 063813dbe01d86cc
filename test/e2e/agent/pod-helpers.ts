// Helpers for agent e2e tests: pods as JSON bound to the test node, reading their status through
// the apiserver, and running commands inside their containers through the CRI.
import type { KubeObject } from '../../../src/api/object.js';
import type { Pod, PodStatus } from '../../../src/api/pod-types.js';
import type { CriClient } from '../../../src/cri/client.js';
import type { AgentNode } from './agent-node.js';

export const BUSYBOX = 'nodelet.local/busybox:1.35';

export function podObject(name: string, nodeName: string, spec: Partial<Pod['spec']>, extra: { labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...(extra.labels === undefined ? {} : { labels: extra.labels }) },
    spec: { nodeName, containers: [], ...spec } as unknown as KubeObject['metadata'],
  };
}

export async function createPod(n: AgentNode, pod: KubeObject): Promise<void> {
  await n.client.create('/api/v1/namespaces/default/pods', pod);
}

export async function podStatus(n: AgentNode, name: string): Promise<PodStatus & { uid: string }> {
  const obj = await n.client.get(`/api/v1/namespaces/default/pods/${name}`);
  const status = (obj['status'] ?? {}) as PodStatus;
  return { ...status, uid: obj.metadata.uid ?? '' };
}

/** Waits until the pod's status passes `ok`; resolves with that status. */
export function waitForPod(n: AgentNode, name: string, what: string, timeoutMs: number, ok: (s: PodStatus) => boolean): Promise<PodStatus & { uid: string }> {
  return n.eventually(`pod ${name}: ${what}`, timeoutMs, async () => {
    const s = await podStatus(n, name);
    return ok(s) ? s : undefined;
  });
}

export function isReady(s: PodStatus): boolean {
  return s.phase === 'Running' && (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The running container's id (without the runtime prefix) for a container of a pod. */
export function containerId(s: PodStatus, container: string): string {
  const cs = (s.containerStatuses ?? []).find((c) => c.name === container);
  const id = cs?.containerID ?? '';
  return id.replace(/^[a-z]+:\/\//, '');
}

export async function execIn(cri: CriClient, id: string, script: string): Promise<string> {
  const r = await cri.execSync(id, ['/bin/sh', '-c', script], 20);
  if (r.exitCode !== 0) throw new Error(`exec ${script}: exit ${r.exitCode}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

/** Events about a named object, as `reason: message` lines. */
export async function eventsFor(n: AgentNode, name: string): Promise<string[]> {
  const list = await n.client.list('/api/v1/namespaces/default/events', { fieldSelector: `involvedObject.name=${name}` }).catch(async () =>
    n.client.list('/api/v1/namespaces/default/events'),
  );
  return list.items
    .filter((e) => (e['involvedObject'] as { name?: string } | undefined)?.name === name)
    .map((e) => `${String(e['reason'])}: ${String(e['message'])}`);
}
