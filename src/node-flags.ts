// Node/V8 flags a subcommand runs with, applied however nodelet is started (systemd's wrapper,
// `make up`, tests, benchmarks all run `node dist/src/cli.js <subcommand>`). V8 sizes its heap
// when the process starts (v8.setFlagsFromString later does not shrink the young generation), so
// the CLI re-executes itself once, in place, with the flags added: process.execve keeps the pid,
// so systemd, pid files and /proc readers see one process. Imports only node: builtins, so the
// first start costs little. A flag the user already gave (node argument or NODE_OPTIONS) wins.

/**
 * The agent's memory budget is 100 MiB RSS, of which the node binary's mapped code is about
 * 50 MiB. V8's default young generation grows to 2 x 16 MiB semi-spaces (plus a third during a
 * scavenge) after a burst of pod starts and stays committed; 1 MiB semi-spaces keep it near 3 MiB.
 * The agent is glue between the apiserver and the runtime, with no hot loop that needs optimized
 * machine code: without the optimizing compilers (Ignition and Sparkplug only) it saves the
 * optimized code, the compilers' own memory and their pages of the binary (about 20 MiB of RSS
 * with 30 pods). Maglev only for functions called 2,000 times, without inlining, was measured in
 * six interleaved pairs of bench/pod-startup runs: 20 % less agent CPU per 30-pod start for 7-9 MiB
 * more RSS, but the 30-pod overhead over the runtime floor came out no better (mean 8.8 % against
 * 4.2 % without it), so both stay off. A first old-generation limit of 16 MiB (not a cap: V8
 * sizes the heap from the live data after each collection) makes the first full collection come
 * early, so a burst does not leave the heap at whatever size it had grown to (91-110 MiB without
 * it, 92-93 MiB with it, in five runs each).
 */
export const SUBCOMMAND_NODE_FLAGS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  agent: Object.freeze(['--max-semi-space-size=1', '--initial-old-space-size=16', '--no-turbofan', '--no-maglev']),
});

/**
 * The flag's name: `--max-semi-space-size=1` -> `--max-semi-space-size`; `_` and `-` alike; a
 * boolean's `--no-` form names the flag itself (`--no-turbofan` and `--turbofan` are one flag).
 */
function flagName(flag: string): string {
  const eq = flag.indexOf('=');
  const name = (eq < 0 ? flag : flag.slice(0, eq)).replaceAll('_', '-');
  return name.startsWith('--no-') ? `--${name.slice(5)}` : name;
}

/** The subcommand: the first argument after the script that is not an option. */
export function subcommandOf(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}

/**
 * The flags to add for `args` (the arguments after the script): those of the subcommand whose
 * name is in neither `execArgv` nor `nodeOptions`. Empty when there is nothing to add.
 */
export function missingNodeFlags(args: readonly string[], execArgv: readonly string[], nodeOptions: string): string[] {
  const sub = subcommandOf(args);
  const wanted = sub === undefined ? undefined : SUBCOMMAND_NODE_FLAGS[sub];
  if (wanted === undefined) return [];
  const given = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return wanted.filter((f) => !given.has(flagName(f)));
}

export interface ReexecDeps {
  argv: readonly string[];
  execArgv: readonly string[];
  env: NodeJS.ProcessEnv;
  execPath: string;
  /** process.execve: replaces the process; returns only by throwing. Undefined where Node lacks it. */
  execve: ((file: string, args: string[], env: NodeJS.ProcessEnv) => never) | undefined;
}

/**
 * Re-executes the process with the subcommand's missing flags; returns when there are none, or
 * when the exec is not possible (then the subcommand runs with V8's defaults, as before).
 */
export function reexecWithNodeFlags(deps: ReexecDeps): void {
  const flags = missingNodeFlags(deps.argv.slice(2), deps.execArgv, deps.env['NODE_OPTIONS'] ?? '');
  if (flags.length === 0 || deps.execve === undefined) return;
  try {
    deps.execve(deps.execPath, [deps.execPath, ...deps.execArgv, ...flags, ...deps.argv.slice(1)], deps.env);
  } catch (err) {
    process.emitWarning(`nodelet: could not restart with ${flags.join(' ')}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function processReexecDeps(): ReexecDeps {
  const execve = process.execve?.bind(process);
  return { argv: process.argv, execArgv: process.execArgv, env: process.env, execPath: process.execPath, execve };
}
