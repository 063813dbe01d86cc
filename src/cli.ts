#!/usr/bin/env node
// The nodelet command (program.ts). It first restarts itself, in place, with the Node flags its
// subcommand needs (node-flags.ts), before loading anything else.
import { processReexecDeps, reexecWithNodeFlags } from './node-flags.js';

reexecWithNodeFlags(processReexecDeps());
const { buildProgram } = await import('./program.js');
await (await buildProgram(process.argv.slice(2))).parseAsync(process.argv);
