// Loading a kubeconfig (clientcmd's v1 Config) into the credentials the REST client needs: the
// server URL, the CA to trust, and a client certificate and/or bearer token. Only the selected
// context is resolved; its problems are reported as InvalidConfig naming the file and the entry,
// with client-go's rules: `-data` fields and file fields are exclusive, a certificate needs its
// key, trusting a CA and skipping verification are exclusive, relative paths are relative to the
// kubeconfig's directory. exec and auth-provider plugins are not supported.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { ErrorCode, NodeletError, errorMessage } from '../../base/errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../object.js';

export interface KubeCredentials {
  /** The server URL, e.g. https://127.0.0.1:6443 (http:// is allowed, for tests and proxies). */
  server: string;
  /** PEM of the CA(s) to trust; the system roots when unset. */
  ca?: Buffer;
  /** PEM client certificate and key (both or neither). */
  cert?: Buffer;
  key?: Buffer;
  /** Bearer token. */
  token?: string;
  insecureSkipTlsVerify: boolean;
  /** The name to verify the serving certificate against instead of the URL's host. */
  tlsServerName?: string;
  /** The context's default namespace, when it sets one. */
  namespace?: string;
}

/** Reads and resolves `file` for `context` (default: its current-context). */
export async function loadKubeconfig(file: string, context?: string): Promise<KubeCredentials> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `kubeconfig ${file}: cannot read: ${errorMessage(err)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new NodeletError(ErrorCode.InvalidConfig, `kubeconfig ${file}: not valid YAML: ${errorMessage(err)}`, { cause: err });
  }
  const resolved = resolveKubeconfig(doc, { file, ...(context === undefined ? {} : { context }) });
  return readReferencedFiles(resolved, file);
}

/** What the kubeconfig names, before referenced files are read. Pure. */
export interface ResolvedKubeconfig {
  server: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  namespace?: string;
  ca?: Source;
  cert?: Source;
  key?: Source;
  token?: string;
  tokenFile?: string;
}

/** Inline data (decoded) or an absolute file path. */
export type Source = { data: Buffer } | { file: string };

/**
 * Picks the context, its cluster and its user from a parsed kubeconfig and checks them.
 * `file` is used for messages and to make relative paths absolute.
 */
export function resolveKubeconfig(doc: unknown, opts: { file: string; context?: string }): ResolvedKubeconfig {
  const where = `kubeconfig ${opts.file}`;
  const fail = (msg: string): NodeletError => new NodeletError(ErrorCode.InvalidConfig, `${where}: ${msg}`);
  if (!isJsonObject(doc)) throw fail('expected a YAML mapping (apiVersion: v1, kind: Config)');
  const contextName = opts.context ?? optionalString(doc, 'current-context', where);
  if (contextName === undefined || contextName === '') throw fail('no context given and current-context is not set');
  const ctx = namedEntry(doc, 'contexts', 'context', contextName, where);
  if (ctx === undefined) throw fail(`context "${contextName}" not found`);
  const clusterName = optionalString(ctx, 'cluster', `${where}: context "${contextName}"`);
  if (clusterName === undefined || clusterName === '') throw fail(`context "${contextName}" names no cluster`);
  const cluster = namedEntry(doc, 'clusters', 'cluster', clusterName, where);
  if (cluster === undefined) throw fail(`cluster "${clusterName}" (of context "${contextName}") not found`);
  const userName = optionalString(ctx, 'user', `${where}: context "${contextName}"`) ?? '';
  // A context without a user is valid (anonymous); a named user that is missing is not.
  const user = userName === '' ? {} : namedEntry(doc, 'users', 'user', userName, where);
  if (user === undefined) throw fail(`user "${userName}" (of context "${contextName}") not found`);

  const baseDir = path.dirname(path.resolve(opts.file));
  const clusterWhere = `${where}: cluster "${clusterName}"`;
  const userWhere = `${where}: user "${userName}"`;
  const server = optionalString(cluster, 'server', clusterWhere);
  if (server === undefined || server === '') throw fail(`cluster "${clusterName}" has no server`);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw fail(`cluster "${clusterName}": server "${server}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail(`cluster "${clusterName}": server "${server}" must be an https:// (or http://) URL`);
  const insecure = optionalBool(cluster, 'insecure-skip-tls-verify', clusterWhere) ?? false;
  const ca = source(cluster, 'certificate-authority', clusterWhere, baseDir);
  if (insecure && ca !== undefined) throw fail(`cluster "${clusterName}": specifying a root certificates file with the insecure flag is not allowed`);

  for (const plugin of ['exec', 'auth-provider']) {
    if (user[plugin] !== undefined && user[plugin] !== null) throw fail(`user "${userName}": ${plugin} credential plugins are not supported; use a token or a client certificate`);
  }
  if (optionalString(user, 'username', userWhere) !== undefined) throw fail(`user "${userName}": basic authentication (username/password) is not supported`);
  const cert = source(user, 'client-certificate', userWhere, baseDir);
  const key = source(user, 'client-key', userWhere, baseDir);
  if (cert !== undefined && key === undefined) throw fail(`user "${userName}": client-key-data or client-key must be specified to use the client certificate`);
  if (key !== undefined && cert === undefined) throw fail(`user "${userName}": client-certificate-data or client-certificate must be specified with the client key`);
  const token = optionalString(user, 'token', userWhere);
  const tokenFile = optionalString(user, 'tokenFile', userWhere);

  const out: ResolvedKubeconfig = { server: server.replace(/\/+$/, ''), insecureSkipTlsVerify: insecure };
  const tlsServerName = optionalString(cluster, 'tls-server-name', clusterWhere);
  if (tlsServerName !== undefined && tlsServerName !== '') out.tlsServerName = tlsServerName;
  const namespace = optionalString(ctx, 'namespace', `${where}: context "${contextName}"`);
  if (namespace !== undefined && namespace !== '') out.namespace = namespace;
  if (ca !== undefined) out.ca = ca;
  if (cert !== undefined) out.cert = cert;
  if (key !== undefined) out.key = key;
  // As client-go: an inline token wins over tokenFile.
  if (token !== undefined && token !== '') out.token = token;
  else if (tokenFile !== undefined && tokenFile !== '') out.tokenFile = path.resolve(baseDir, tokenFile);
  return out;
}

async function readReferencedFiles(r: ResolvedKubeconfig, file: string): Promise<KubeCredentials> {
  const read = async (s: Source, what: string): Promise<Buffer> => {
    if ('data' in s) return s.data;
    try {
      return await readFile(s.file);
    } catch (err) {
      throw new NodeletError(ErrorCode.InvalidConfig, `kubeconfig ${file}: cannot read ${what} ${s.file}: ${errorMessage(err)}`, { cause: err });
    }
  };
  const creds: KubeCredentials = { server: r.server, insecureSkipTlsVerify: r.insecureSkipTlsVerify };
  if (r.tlsServerName !== undefined) creds.tlsServerName = r.tlsServerName;
  if (r.namespace !== undefined) creds.namespace = r.namespace;
  if (r.ca !== undefined) creds.ca = await read(r.ca, 'certificate-authority');
  if (r.cert !== undefined) creds.cert = await read(r.cert, 'client-certificate');
  if (r.key !== undefined) creds.key = await read(r.key, 'client-key');
  if (r.token !== undefined) creds.token = r.token;
  if (r.tokenFile !== undefined) {
    const token = (await read({ file: r.tokenFile }, 'tokenFile')).toString('utf8').trim();
    if (token === '') throw new NodeletError(ErrorCode.InvalidConfig, `kubeconfig ${file}: tokenFile ${r.tokenFile} is empty`);
    creds.token = token;
  }
  return creds;
}

/** `<list>[].name == name` → its `<field>` mapping. */
function namedEntry(doc: JsonObject, list: string, field: string, name: string, where: string): JsonObject | undefined {
  const entries: JsonValue | undefined = doc[list];
  if (entries === undefined || entries === null) return undefined;
  if (!Array.isArray(entries)) throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${list} must be a list`);
  for (const [i, e] of entries.entries()) {
    if (!isJsonObject(e)) throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${list}[${i}] must be a mapping`);
    if (e.name !== name) continue;
    const body = e[field];
    if (body === undefined || body === null) return {};
    if (!isJsonObject(body)) throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${list}[${i}].${field} must be a mapping`);
    return body;
  }
  return undefined;
}

/** `<name>-data` (base64) or `<name>` (a path); both is an error as in client-go. */
function source(o: JsonObject, name: string, where: string, baseDir: string): Source | undefined {
  const data = optionalString(o, `${name}-data`, where);
  const file = optionalString(o, name, where);
  const hasData = data !== undefined && data !== '';
  const hasFile = file !== undefined && file !== '';
  if (hasData && hasFile) throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${name}-data and ${name} are both specified; give one`);
  if (hasData) {
    const decoded = decodeBase64(data);
    if (decoded === undefined) throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${name}-data is not valid base64`);
    return { data: decoded };
  }
  if (hasFile) return { file: path.resolve(baseDir, file) };
  return undefined;
}

function decodeBase64(s: string): Buffer | undefined {
  const compact = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) return undefined;
  const out = Buffer.from(compact, 'base64');
  return out.length === 0 ? undefined : out;
}

function optionalString(o: JsonObject, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${key} must be a string`);
  return v;
}

function optionalBool(o: JsonObject, key: string, where: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new NodeletError(ErrorCode.InvalidConfig, `${where}: ${key} must be true or false`);
  return v;
}
