#!/usr/bin/env node
// The nodelet command: one program, a subcommand per daemon. Subcommands register here as they land.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { registerAgentCommand } from './agent/command.js';
import { registerApiserverCommand } from './apiserver/command.js';
import { registerProxyCommand } from './proxy/command.js';

function packageVersion(): string {
  const raw: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  if (typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string') return raw.version;
  return '0.0.0';
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nodelet')
    .description('A Kubernetes node agent: kubelet, kube-proxy, a CRI shim for Docker and a lightweight apiserver')
    .version(packageVersion());
  registerAgentCommand(program);
  registerApiserverCommand(program);
  registerProxyCommand(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
