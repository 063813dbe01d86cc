// Composition root of `nodelet apiserver`: from a validated config it builds the TLS material,
// the authenticator, the store and the REST handler, serves them over HTTPS, writes the admin
// kubeconfig once serving, and takes everything down again on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { systemClock, type Clock } from '../base/clock.js';
import { NodeletError, ErrorCode, errorMessage } from '../base/errors.js';
import { DisposableStore, toDisposable, type Disposable } from '../base/lifecycle.js';
import type { Logger } from '../base/log.js';
import { createKubeClient } from '../api/client/rest-client.js';
import { createApiHandler } from './api-handler.js';
import { adminToken, ensureGeneratedTokenFile, loadTokenFile, type TokenEntry } from './auth/token-file.js';
import { TokenAuthenticator } from './auth/token.js';
import { ClientCertAuthenticator, loadClientCA } from './auth/x509.js';
import { unionAuthenticator } from './auth/union.js';
import { allowAuthenticated, type Authenticator } from './auth/types.js';
import type { ApiserverConfig } from './config.js';
import { serverUrl, writeKubeconfig } from './kubeconfig.js';
import { EtcdStore } from './storage/etcd.js';
import type { EtcdTlsFiles } from './storage/etcd/client.js';
import { SqliteStore, sqliteFile } from './storage/sqlite.js';
import type { Store } from './storage/store.js';
import { loadServingTls, servingNames } from './tls/serving.js';

/** How long shutdown waits for open requests before cutting connections. */
const SHUTDOWN_GRACE_MS = 5_000;

export interface ApiserverDeps {
  log: Logger;
  clock?: Clock;
  /** For the serving certificate's names (default os.hostname()). */
  hostname?: string;
}

export interface RunningApiserver extends Disposable {
  /** https://host:port the server listens on. */
  readonly url: string;
  readonly port: number;
  /** Where the admin kubeconfig was written, if it was. */
  readonly kubeconfig: string | undefined;
  /** Stops accepting, ends watches and open requests, closes the store. Idempotent. */
  dispose(): Promise<void>;
}

/** Starts serving; on failure everything started so far is undone before the error is rethrown. */
export async function startApiserver(config: Readonly<ApiserverConfig>, deps: ApiserverDeps): Promise<RunningApiserver> {
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  const disposables = new DisposableStore();
  try {
    // Files the user gave are checked before anything is written to the data dir.
    const givenTokens = config.tokenAuthFile === undefined ? undefined : await loadTokenFile(config.tokenAuthFile, 'token-auth-file');
    if (givenTokens !== undefined && config.writeKubeconfig !== undefined && adminToken(givenTokens) === undefined) {
      throw new NodeletError(ErrorCode.InvalidConfig, `--write-kubeconfig needs a token of a system:masters member in --token-auth-file ${config.tokenAuthFile ?? ''}`);
    }
    const clientCA = config.clientCAFile === undefined ? undefined : await loadClientCA(config.clientCAFile);
    const etcdTls = await loadEtcdTls(config);

    const tlsOptions = {
      dataDir: config.dataDir,
      names: servingNames({ ...config, hostname: deps.hostname ?? os.hostname() }),
      certFile: config.tlsCertFile,
      keyFile: config.tlsPrivateKeyFile,
      clock,
      log,
    };
    // Given certificate files are only read, so they are checked before the data dir is touched.
    const givenTls = config.tlsCertFile === undefined ? undefined : await loadServingTls(tlsOptions);

    await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    // The store first: SQLite locks the data dir, so a second apiserver on it stops here, before
    // it could reissue certificates under the running one.
    const store = disposables.add(openStore(config, etcdTls, clock, log));
    const tls = givenTls ?? (await loadServingTls(tlsOptions));
    const tokens = givenTokens ?? (await generatedTokens(config.dataDir, log));
    // The in-process controllers talk to this server over HTTPS like any client, with a token that
    // exists only in this process's memory.
    const controllerToken = randomBytes(32).toString('base64url');
    const controllerUser = { name: 'system:kube-controller-manager', uid: 'nodelet-controller-manager', groups: ['system:masters', 'system:authenticated'] };
    const authenticators: Authenticator[] = [new TokenAuthenticator([...tokens, { token: controllerToken, user: controllerUser, line: 0 }])];
    if (clientCA !== undefined) authenticators.push(new ClientCertAuthenticator());

    const handler = createApiHandler({
      store,
      authenticator: unionAuthenticator(authenticators),
      authorizer: allowAuthenticated,
      clock,
      log,
      serviceClusterIPRange: config.serviceClusterIPRange,
      serviceNodePortRange: config.serviceNodePortRange,
      advertiseAddress: config.advertiseAddress,
      securePort: config.securePort,
    });
    const disposeHandler = once(() => handler.dispose());
    disposables.add(toDisposable(disposeHandler));
    await handler.start();

    const server = https.createServer(
      {
        cert: tls.cert,
        key: tls.key,
        minVersion: 'TLSv1.2',
        // A client certificate is asked for only when a client CA is configured, and a missing or
        // unknown one is not fatal: the request may still carry a bearer token.
        ...(clientCA === undefined ? {} : { ca: clientCA, requestCert: true, rejectUnauthorized: false }),
        keepAlive: true,
        keepAliveTimeout: 65_000,
        headersTimeout: 60_000,
        // Receiving a request (headers and body) must finish in time; the response (a watch) may
        // stream for as long as the client wants, so there is no socket idle timeout.
        requestTimeout: 60_000,
        maxHeaderSize: 64 * 1024,
      },
      (req, res) => handler.handle(req, res),
    );
    server.on('tlsClientError', (err) => log.debug('TLS handshake failed', { error: errorMessage(err) }));
    server.on('clientError', (err, socket) => {
      log.debug('malformed HTTP request', { error: errorMessage(err) });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    const port = await listen(server, config.bindAddress, config.securePort);
    disposables.add(toDisposable(() => closeServer(server, disposeHandler, clock)));
    const listenHost = config.bindAddress.includes(':') ? `[${config.bindAddress}]` : config.bindAddress;
    const url = `https://${listenHost}:${port}`;

    if (config.writeKubeconfig !== undefined) {
      const admin = adminToken(tokens);
      if (admin === undefined) throw new NodeletError(ErrorCode.InvalidConfig, 'no system:masters token for --write-kubeconfig');
      await writeKubeconfig(config.writeKubeconfig, {
        server: serverUrl({ bindAddress: config.bindAddress, advertiseAddress: config.advertiseAddress, port }),
        caPem: tls.caBundle,
        token: admin.token,
      });
    }
    if (config.controllers.length > 0) {
      const { startControllers } = await import('./controllers/manager.js');
      const loopback = isUnspecified(config.bindAddress) ? (config.bindAddress.includes(':') ? '[::1]' : '127.0.0.1') : listenHost;
      const client = createKubeClient({
        credentials: { server: `https://${loopback}:${port}`, ca: Buffer.from(tls.caBundle), token: controllerToken, insecureSkipTlsVerify: false, tlsServerName: 'localhost' },
        userAgent: 'nodelet-controller-manager',
      });
      const controllers = startControllers({ client, clock, log }, config.controllers, {
        clusterCIDR: config.clusterCIDR,
        nodeCIDRMaskSize: config.nodeCIDRMaskSize,
        nodeMonitorGracePeriodMs: config.nodeMonitorGracePeriodMs,
        podEvictionTimeoutSeconds: config.podEvictionTimeoutSeconds,
      });
      // Stopped before the server closes (the store disposes in reverse order of adding).
      disposables.add(toDisposable(async () => {
        await controllers.dispose();
        client.close();
      }));
    }
    log.info('apiserver serving', {
      url,
      advertiseAddress: config.advertiseAddress,
      storage: config.etcdServers.length > 0 ? `etcd ${config.etcdServers.join(',')}` : `sqlite in ${config.dataDir}`,
      certificate: tls.source,
      kubeconfig: config.writeKubeconfig ?? '(not written)',
    });
    return { url, port, kubeconfig: config.writeKubeconfig, dispose: () => disposables.dispose() };
  } catch (err) {
    await disposables.dispose().catch((e: unknown) => log.warn('cleanup after a failed start failed', { error: errorMessage(e) }));
    throw err;
  }
}

/**
 * SQLite in the data dir, or etcd with --etcd-servers. Store keys start with /registry/, which is
 * where upstream keeps objects with its default --etcd-prefix; another prefix P is put in front
 * (P/registry/...), so several clusters can share one etcd.
 */
function openStore(config: Readonly<ApiserverConfig>, tls: EtcdTlsFiles | undefined, clock: Clock, log: Logger): Store {
  if (config.etcdServers.length === 0) return new SqliteStore({ file: sqliteFile(config.dataDir), clock, log });
  const keyPrefix = config.etcdPrefix.replace(/\/+$/, '') === '/registry' ? '' : config.etcdPrefix;
  return new EtcdStore({ endpoints: config.etcdServers, keyPrefix, ...(tls === undefined ? {} : { tls }), clock, log });
}

async function loadEtcdTls(config: Readonly<ApiserverConfig>): Promise<EtcdTlsFiles | undefined> {
  const read = async (flag: string, file: string | undefined): Promise<Buffer | undefined> => {
    if (file === undefined) return undefined;
    try {
      return await readFile(file);
    } catch (err) {
      throw new NodeletError(ErrorCode.InvalidConfig, `--${flag}: cannot read ${file}: ${errorMessage(err)}`, { cause: err });
    }
  };
  const [ca, cert, key] = [await read('etcd-cafile', config.etcdCAFile), await read('etcd-certfile', config.etcdCertFile), await read('etcd-keyfile', config.etcdKeyFile)];
  if (ca === undefined && cert === undefined) return undefined;
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
}

async function generatedTokens(dataDir: string, log: Logger): Promise<TokenEntry[]> {
  const file = path.join(dataDir, 'tokens.csv');
  const { entries, created } = await ensureGeneratedTokenFile(file);
  if (created) log.info('created an admin token', { file });
  return entries;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

function listen(server: https.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      const code = 'code' in err ? String(err.code) : '';
      const why = code === 'EADDRINUSE' ? 'the address is in use' : code === 'EADDRNOTAVAIL' ? 'the address is not on this host' : errorMessage(err);
      reject(new NodeletError(ErrorCode.InvalidConfig, `cannot listen on --bind-address ${host} --secure-port ${port}: ${why}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting, lets the handler end its watches, gives the requests still open a grace
 * period, then cuts their connections.
 */
async function closeServer(server: https.Server, endStreams: () => Promise<void>, clock: Clock): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await endStreams();
  const timer = new AbortController();
  const inTime = await Promise.race([closed.then(() => true), clock.sleep(SHUTDOWN_GRACE_MS, timer.signal).then(() => false, () => false)]);
  timer.abort();
  if (!inTime) {
    server.closeAllConnections();
    await closed;
  }
}

/**
 * Runs until SIGTERM or SIGINT, then shuts down cleanly: stop accepting, end watches, close the
 * store. A second signal during shutdown exits at once.
 */
export async function runApiserver(config: Readonly<ApiserverConfig>, deps: ApiserverDeps & { onServing?: (running: RunningApiserver) => void }): Promise<void> {
  const running = await startApiserver(config, deps);
  deps.onServing?.(running);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  deps.log.info('shutting down', { signal });
  const force = (): void => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await running.dispose();
  process.off('SIGTERM', force);
  process.off('SIGINT', force);
  deps.log.info('stopped');
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
