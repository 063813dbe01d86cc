// `nodelet agent`: flags and KubeletConfiguration are validated before anything starts (a bad
// setting is a clear error and exit 2); SIGTERM/SIGINT stop the loops and leave containers running.
import type { Command } from 'commander';
import { errorMessage, isNodeletError } from '../base/errors.js';
import { createLogger } from '../base/log.js';
import { addAgentOptions, loadAgentConfig } from './config/index.js';

export function registerAgentCommand(program: Command): Command {
  const cmd = program
    .command('agent')
    .description('Run the node agent (kubelet): register the Node, run pods from the apiserver and a manifest directory through CRI');
  addAgentOptions(cmd);
  return cmd.action(async (opts: unknown) => {
    let config;
    try {
      config = await loadAgentConfig(opts);
    } catch (err) {
      process.stderr.write(`nodelet agent: ${errorMessage(err)}\n`);
      process.exitCode = isNodeletError(err, 'InvalidConfig') ? 2 : 1;
      return;
    }
    const log = createLogger({ level: config.logLevel, format: config.logFormat });
    let agent;
    try {
      // Loaded here so that other subcommands do not carry the agent's modules in memory.
      const { runAgent } = await import('./main.js');
      agent = await runAgent(config, log);
    } catch (err) {
      log.error('agent failed to start', { error: errorMessage(err) });
      process.exitCode = 1;
      return;
    }
    const running = agent;
    await new Promise<void>((resolve) => {
      const onSignal = (sig: NodeJS.Signals): void => {
        log.info('stopping', { signal: sig });
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        void running.stop().finally(resolve);
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  });
}
