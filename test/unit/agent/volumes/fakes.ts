// Fakes for the volume manager's unit tests: a mount table driven by a recording Exec, objects
// held in maps, a settable clock and a recording log.
import { realpathSync } from 'node:fs';
import type { Clock } from '../../../../src/base/clock.js';
import type { Exec, ExecResult } from '../../../../src/base/exec.js';
import type { ConfigMap, Secret } from '../../../../src/api/pod-types.js';
import type { PodObjects } from '../../../../src/agent/objects.js';

/** Exec that understands `mount -t tmpfs [-o ...] tmpfs DIR` and `umount DIR` against an in-memory table. */
export class FakeMounts implements Exec {
  readonly calls: string[][] = [];
  readonly table = new Set<string>();
  failUmount = false;

  run(file: string, args: readonly string[]): Promise<ExecResult> {
    this.calls.push([file, ...args]);
    const ok: ExecResult = { stdout: '', stderr: '', code: 0, signal: null };
    const last = args[args.length - 1] ?? '';
    if (file === 'mount') this.table.add(realpathSync(last));
    else if (file === 'umount') {
      if (this.failUmount) return Promise.resolve({ ...ok, code: 32, stderr: 'target is busy' });
      this.table.delete(last);
    }
    return Promise.resolve(ok);
  }

  readMountInfo = (): Promise<string> => {
    const lines = ['22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw'];
    let id = 100;
    for (const p of this.table) lines.push(`${id++} 22 0:99 / ${p.replace(/ /g, '\\040')} rw,relatime shared:5 - tmpfs tmpfs rw`);
    return Promise.resolve(`${lines.join('\n')}\n`);
  };

  commands(file: string): string[][] {
    return this.calls.filter((c) => c[0] === file);
  }
}

export class FakeObjects implements PodObjects {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  fetches = 0;

  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    this.fetches++;
    return Promise.resolve(this.configMaps.get(`${namespace}/${name}`));
  }
  secret(namespace: string, name: string): Promise<Secret | undefined> {
    this.fetches++;
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }
}

export class FakeClock implements Clock {
  constructor(public ms = Date.UTC(2024, 4, 1, 10, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  sleep(): Promise<void> {
    return Promise.resolve();
  }
}

export class RecordingLog {
  readonly warnings: Array<{ message: string; meta?: Record<string, unknown> }> = [];
  warn(message: string, meta?: Record<string, unknown>): void {
    this.warnings.push({ message, ...(meta === undefined ? {} : { meta }) });
  }
  debug(): void {}
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
