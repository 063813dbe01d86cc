// The machine's kubectl (from PATH) against one kubeconfig, with a private discovery cache so no
// state is shared with other runs or left in the home directory. Every run is bounded in time;
// `kubectl get -w` runs as a child process that is stopped by its PID.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { systemClock } from '../../../src/base/clock.js';

const KUBECTL = process.env['KUBECTL'] ?? 'kubectl';
const RUN_TIMEOUT_MS = 20_000;

/** Undefined when kubectl runs; otherwise why not (for a test's skip message). */
export function kubectlMissing(): string | undefined {
  const r = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 ? undefined : `no working ${KUBECTL} on PATH`;
}

export interface KubectlResult {
  /** The exit code; null when kubectl was killed (a timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

interface ExecFailure {
  code?: unknown;
  stdout?: unknown;
  stderr?: unknown;
}

export interface Kubectl {
  /** Runs kubectl to completion; whatever the exit code. */
  run(...args: string[]): Promise<KubectlResult>;
  /** Runs kubectl; throws (with its stderr) unless it exits 0. Resolves with stdout. */
  ok(...args: string[]): Promise<string>;
  /** Runs kubectl; throws unless it exits non-zero. */
  fails(...args: string[]): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get -w`). */
  watch(...args: string[]): KubectlWatch;
}

export interface KubectlWatch {
  readonly pid: number;
  /** Everything printed to stdout so far. */
  stdout(): string;
  /**
   * Polls stdout every 50 ms until `pattern` matches, for at most `timeoutMs`; resolves with the
   * stdout, throws with stdout and stderr when the time is up or kubectl exited first.
   */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** SIGTERM to the PID, SIGKILL after 2 s; resolves once it exited. Idempotent. */
  stop(): Promise<void>;
}

export function kubectlFor(kubeconfig: string, cacheDir: string): Kubectl {
  const base = ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir];
  const describe = (args: string[]): string => `kubectl ${args.join(' ')}`;

  const run = (...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      execFile(KUBECTL, [...base, ...args], { timeout: RUN_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (err === null) return resolve({ code: 0, stdout, stderr });
        const f = err as ExecFailure;
        resolve({ code: typeof f.code === 'number' ? f.code : null, stdout, stderr: stderr === '' ? err.message : stderr });
      });
    });

  return {
    run,
    async ok(...args) {
      const r = await run(...args);
      if (r.code !== 0) throw new Error(`${describe(args)} exited ${r.code}:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async fails(...args) {
      const r = await run(...args);
      if (r.code === 0 || r.code === null) throw new Error(`${describe(args)} was expected to fail, but exited ${r.code}:\n${r.stdout}${r.stderr}`);
      return r;
    },
    watch(...args) {
      const child = spawn(KUBECTL, [...base, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      const pid = child.pid;
      if (pid === undefined) throw new Error(`${describe(args)}: cannot start ${KUBECTL}`);
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
      let exited = false;
      const exit = new Promise<void>((resolve) => {
        child.on('exit', () => {
          exited = true;
          resolve();
        });
      });
      let stopping: Promise<void> | undefined;
      return {
        pid,
        stdout: () => out,
        async waitFor(pattern, timeoutMs) {
          const deadline = Date.now() + timeoutMs;
          for (let i = 0; i <= timeoutMs / 50 && Date.now() <= deadline; i++) {
            if (pattern.test(out)) return out;
            if (exited) break;
            await systemClock.sleep(50);
          }
          if (pattern.test(out)) return out;
          const why = exited ? 'kubectl exited first' : `nothing within ${timeoutMs} ms`;
          throw new Error(`${describe(args)}: no output matching ${String(pattern)} (${why}); stdout:\n${out}\nstderr:\n${err}`);
        },
        stop: () =>
          (stopping ??= (async () => {
            if (exited) return;
            process.kill(pid, 'SIGTERM');
            const timer = new AbortController();
            const gone = await Promise.race([exit.then(() => true), systemClock.sleep(2000, timer.signal).then(() => false, () => false)]);
            timer.abort();
            if (!gone) {
              process.kill(pid, 'SIGKILL');
              await exit;
            }
          })()),
      };
    },
  };
}

/** The non-empty lines of a command's output, trimmed at the end. */
export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '');
}

export interface Table {
  /** The header's column names, in order. */
  columns: string[];
  /** One record per line below the header, keyed by column name. */
  rows: Array<Record<string, string>>;
}

/**
 * Parses kubectl's column output: the header's column names (which may hold single spaces, as
 * "NOMINATED NODE") give each column's start; rows are cut at those offsets.
 */
export function parseTable(text: string): Table {
  const [header = '', ...body] = lines(text);
  const starts: Array<{ name: string; at: number }> = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) starts.push({ name: m[0], at: m.index });
  const rows = body.map((line) => {
    const row: Record<string, string> = {};
    starts.forEach((col, i) => {
      const end = starts[i + 1]?.at ?? line.length;
      row[col.name] = line.slice(col.at, end).trim();
    });
    return row;
  });
  return { columns: starts.map((c) => c.name), rows };
}
