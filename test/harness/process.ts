// Starting and stopping the daemons of a test (registry, containerd, dockerd, etcd, nodelet).
// Output goes to a log file in the test's directory; a failed start shows the log's tail.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { systemClock } from '../../src/base/clock.js';
import { errorMessage } from '../../src/base/errors.js';
import type { Disposable } from '../../src/base/lifecycle.js';
import { nsenterCommand } from './netns.js';

export interface DaemonSpec {
  /** Short name for messages, e.g. "containerd". */
  name: string;
  file: string;
  args: readonly string[];
  /** Run inside this network namespace (by name). */
  netns?: string;
  /** stdout and stderr go here (appended). */
  logFile: string;
  /** Extra environment on top of this process's; PATH always includes the sbin directories. */
  env?: NodeJS.ProcessEnv;
  /** True once the daemon serves. Called until it is, within the poll budget; a throw counts as "not yet". */
  ready: () => Promise<boolean>;
  /** Poll budget: at most `readyPolls` checks `readyIntervalMs` apart and at most `readyTimeoutMs` in all. */
  readyPolls?: number;
  readyIntervalMs?: number;
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Daemon extends Disposable {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Settles when the process has exited (and was reaped). */
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  /** The last `lines` lines of the log file. */
  logTail(lines?: number): string;
  /** SIGTERM, up to `graceMs` to exit, then SIGKILL. Idempotent; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** stop() with the default grace. */
  dispose(): Promise<void>;
}

/** Daemons find runc, iptables, ... in the sbin directories, which a user's PATH may lack. */
export function daemonEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dirs = (process.env['PATH'] ?? '').split(':').filter((d) => d !== '');
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(d)) dirs.push(d);
  }
  return { ...process.env, PATH: dirs.join(':'), ...extra };
}

export function readLogTail(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n').trimEnd();
  } catch {
    return '(no log)';
  }
}

/** Starts the daemon and waits until `ready()` says so; on failure it is stopped and the error shows its log. */
export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const cmd = spec.netns === undefined ? { file: spec.file, args: [...spec.args] } : nsenterCommand(spec.netns, spec.file, spec.args);
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cmd.file, cmd.args, { stdio: ['ignore', fd, fd], env: daemonEnv(spec.env) });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  // The child stays referenced: awaiting `exited` or stop() must keep this process alive. A test
  // that forgets dispose() therefore hangs instead of leaking silently.
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.on('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
    child.on('error', () => {
      exitInfo ??= { code: null, signal: null };
      resolve(exitInfo);
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`${spec.name}: cannot start ${cmd.file}: ${readLogTail(spec.logFile)}`);
  }

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000): Promise<void> =>
    (stopping ??= (async () => {
      if (exitInfo !== undefined) return;
      child.kill('SIGTERM');
      const timer = new AbortController();
      const graceful = await Promise.race([
        exited.then(() => true),
        systemClock.sleep(graceMs, timer.signal).then(() => false, () => false),
      ]);
      timer.abort();
      if (!graceful) {
        child.kill('SIGKILL');
        await exited;
      }
    })());

  const daemon: Daemon = {
    name: spec.name,
    pid,
    logFile: spec.logFile,
    exited,
    running: () => exitInfo === undefined,
    logTail: (lines) => readLogTail(spec.logFile, lines),
    stop,
    dispose: () => stop(),
  };

  const polls = spec.readyPolls ?? 200;
  const interval = spec.readyIntervalMs ?? 50;
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 30_000);
  let lastError = '';
  for (let i = 0; i < polls && Date.now() < deadline; i++) {
    if (exitInfo !== undefined) break;
    try {
      if (await spec.ready()) return daemon;
    } catch (err) {
      lastError = errorMessage(err);
    }
    await systemClock.sleep(interval);
  }
  const why = exitInfo !== undefined ? `exited (code ${exitInfo.code}, signal ${exitInfo.signal})` : 'not ready in time';
  await stop(2000);
  const detail = lastError === '' ? '' : ` (last check: ${lastError})`;
  throw new Error(`${spec.name} ${why}${detail}; ${spec.logFile} ends with:\n${readLogTail(spec.logFile)}`);
}
