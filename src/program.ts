// The nodelet program: one subcommand per daemon. Subcommands register here as they land. Only
// the subcommand being run is loaded (each brings its own config parsing and dependencies into
// a long-running daemon's memory); help and version load them all.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { subcommandOf } from './node-flags.js';

type Register = (program: Command) => Command;

const SUBCOMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  agent: async () => (await import('./agent/command.js')).registerAgentCommand,
  apiserver: async () => (await import('./apiserver/command.js')).registerApiserverCommand,
  proxy: async () => (await import('./proxy/command.js')).registerProxyCommand,
};

function packageVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string') return raw.version;
  return '0.0.0';
}

/** The program for `args` (the arguments after the script): with only its subcommand when it names one. */
export async function buildProgram(args: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('nodelet')
    .description('A Kubernetes node agent: kubelet, kube-proxy, a CRI shim for Docker and a lightweight apiserver')
    .version(packageVersion());
  const sub = subcommandOf(args);
  const names = sub !== undefined && sub in SUBCOMMANDS ? [sub] : Object.keys(SUBCOMMANDS);
  for (const name of names) {
    const load = SUBCOMMANDS[name];
    if (load !== undefined) (await load())(program);
  }
  return program;
}
