// A docker-registry inside a test node: containerd's "nodelet.local" mirror and the source of
// every image pull in tests (nothing can be pulled from public registries here).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Disposable } from '../../src/base/lifecycle.js';
import type { Netns } from './netns.js';
import { startDaemon, type Daemon } from './process.js';
import { sweepDir } from './sweep.js';
import type { TempDir } from './tmp.js';

/** The registry's address inside a test node's network namespace. */
export const REGISTRY_ADDRESS = '127.0.0.1:5000';

export interface Registry extends Disposable {
  /** host:port, reachable only inside `netns`. */
  readonly address: string;
  readonly netns: Netns;
  readonly dir: string;
  readonly daemon: Daemon;
  /** Repository names, from /v2/_catalog. */
  catalog(): Promise<string[]>;
  /** Stops the registry and removes its storage. Idempotent. */
  dispose(): Promise<void>;
}

export function renderRegistryConfig(storageDir: string, address: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${address}`,
    // A fixed secret silences the "generated random secret" warning; this registry is private.
    '  secret: nodelet-test',
    '',
  ].join('\n');
}

/** Starts docker-registry on 127.0.0.1:5000 inside `netns`, storing in `<tmp>/registry`. */
export async function startRegistry(opts: { tmp: TempDir; netns: Netns }): Promise<Registry> {
  const dir = opts.tmp.join('registry');
  const config = path.join(dir, 'config.yml');
  await mkdir(path.join(dir, 'data'), { recursive: true });
  await writeFile(config, renderRegistryConfig(path.join(dir, 'data'), REGISTRY_ADDRESS));
  const base = `http://${REGISTRY_ADDRESS}/v2/`;
  const daemon = await startDaemon({
    name: 'docker-registry',
    file: 'docker-registry',
    args: ['serve', config],
    netns: opts.netns.name,
    logFile: path.join(dir, 'registry.log'),
    ready: async () => (await opts.netns.httpGet(base, 2000)) !== undefined,
  });
  let disposed: Promise<void> | undefined;
  return {
    address: REGISTRY_ADDRESS,
    netns: opts.netns,
    dir,
    daemon,
    catalog: async () => {
      const body = await opts.netns.httpGet(`${base}_catalog`);
      if (body === undefined) throw new Error('registry: GET /v2/_catalog failed');
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || !('repositories' in parsed) || !Array.isArray(parsed.repositories)) {
        throw new Error(`registry: unexpected catalog ${body}`);
      }
      return parsed.repositories.filter((r): r is string => typeof r === 'string');
    },
    dispose: () =>
      (disposed ??= (async () => {
        await daemon.stop();
        await sweepDir(dir);
      })()),
  };
}
