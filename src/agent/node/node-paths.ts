// API paths of the objects the node manager owns.

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export function nodePath(nodeName: string): string {
  return `/api/v1/nodes/${encodeURIComponent(nodeName)}`;
}

export function nodeStatusPath(nodeName: string): string {
  return `${nodePath(nodeName)}/status`;
}

export function leasesPath(): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`;
}

export function leasePath(nodeName: string): string {
  return `${leasesPath()}/${encodeURIComponent(nodeName)}`;
}
