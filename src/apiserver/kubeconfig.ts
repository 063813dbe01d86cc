// The admin kubeconfig (--write-kubeconfig): kubectl uses it as is, trusting the cluster CA and
// sending the admin bearer token.
import YAML from 'yaml';
import { writeFileAtomic } from '../base/atomic-file.js';

export interface KubeconfigSpec {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM the client should trust. */
  caPem: string;
  token: string;
  /** Names the cluster, user and context (default "nodelet"). */
  name?: string;
  user?: string;
}

export function buildKubeconfig(spec: KubeconfigSpec): string {
  const cluster = spec.name ?? 'nodelet';
  const user = spec.user ?? 'admin';
  const context = `${user}@${cluster}`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: { server: spec.server, 'certificate-authority-data': Buffer.from(spec.caPem, 'utf8').toString('base64') } }],
    users: [{ name: user, user: { token: spec.token } }],
    contexts: [{ name: context, context: { cluster, user } }],
    'current-context': context,
  };
  return YAML.stringify(doc);
}

/** The URL clients use: loopback when the server listens there (as k3s writes it), else the advertise address. */
export function serverUrl(opts: { bindAddress: string; advertiseAddress: string; port: number }): string {
  const loopback = ['0.0.0.0', '127.0.0.1'].includes(opts.bindAddress);
  const host = loopback ? '127.0.0.1' : opts.bindAddress === '::' || opts.bindAddress === '::1' ? '::1' : opts.advertiseAddress;
  return `https://${host.includes(':') ? `[${host}]` : host}:${opts.port}`;
}

/** Writes the kubeconfig atomically with mode 0600: it holds a credential. */
export async function writeKubeconfig(file: string, spec: KubeconfigSpec): Promise<void> {
  await writeFileAtomic(file, buildKubeconfig(spec), { mode: 0o600 });
}
