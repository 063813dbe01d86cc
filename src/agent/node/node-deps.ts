// What the node manager's parts (registrar, status manager, lease) are built from.
import type { KubeClient } from '../../api/client/types.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import type { Runtime } from '../../cri/runtime.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { HostInfoSource } from './host-info.js';

/** The config fields the node manager reads. */
export type NodeConfig = Pick<
  AgentConfig,
  | 'nodeName'
  | 'podCIDR'
  | 'maxPods'
  | 'nodeStatusMaxImages'
  | 'nodeStatusUpdateFrequencyMs'
  | 'nodeStatusReportFrequencyMs'
  | 'nodeLeaseDurationSeconds'
>;

export interface NodeDeps {
  client: KubeClient;
  runtime: Runtime;
  clock: Clock;
  hostInfo: HostInfoSource;
  config: NodeConfig;
  log: Logger;
}

/** Deadline of one runtime poll: a hung runtime must not stall status updates. */
export const RUNTIME_POLL_TIMEOUT_MS = 10_000;
