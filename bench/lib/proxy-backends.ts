// The rule backends bench/proxy-sync measures, built as `nodelet proxy` builds them.
import type { Exec } from '../../src/base/exec.js';
import type { Logger } from '../../src/base/log.js';
import { createIptablesBackend } from '../../src/proxy/backends/iptables/index.js';
import { createNftablesBackend } from '../../src/proxy/backends/nftables/index.js';
import type { BackendFactory } from './proxy-sync-run.js';

export function backendFactory(log: Logger): BackendFactory {
  return (mode, exec: Exec) => (mode === 'nftables' ? createNftablesBackend({ exec, log }) : createIptablesBackend({ exec, log }));
}
