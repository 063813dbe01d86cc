// Processes are injected through Exec so logic can be tested with a fake at this boundary.
import { spawn } from 'node:child_process';
import { NodeletError, ErrorCode } from './errors.js';

export interface ExecOptions {
  stdin?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  /** Kill the process (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code, or null when the process ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Exec {
  /** Runs a command to completion. Never throws for a non-zero exit; throws ExecFailed when it cannot start. */
  run(file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
}

export const systemExec: Exec = {
  run(file, args, opts = {}) {
    return new Promise<ExecResult>((resolve, reject) => {
      const child = spawn(file, args, {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        signal: opts.signal,
        timeout: opts.timeoutMs,
        killSignal: 'SIGKILL',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', (e) => {
        if (e.name === 'AbortError') {
          reject(new NodeletError(ErrorCode.Cancelled, `${file}: cancelled`, { cause: e }));
        } else {
          reject(new NodeletError(ErrorCode.ExecFailed, `${file}: cannot run: ${e.message}`, { cause: e }));
        }
      });
      child.on('close', (code, signal) => {
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signal });
      });
      child.stdin.on('error', () => undefined); // a process that exits without reading stdin is not our error
      child.stdin.end(opts.stdin ?? '');
    });
  },
};

/** Runs and throws ExecFailed (with stderr in the message) unless the exit code is 0. */
export async function runChecked(exec: Exec, file: string, args: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  const res = await exec.run(file, args, opts);
  if (res.code !== 0) {
    const why = res.code === null ? `killed by ${res.signal ?? 'a signal'}` : `exit code ${res.code}`;
    throw new NodeletError(ErrorCode.ExecFailed, `${file} ${args.join(' ')}: ${why}: ${res.stderr.trim()}`);
  }
  return res;
}
