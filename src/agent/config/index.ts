// The agent's configuration: flags (agent-options.ts) over a KubeletConfiguration file (kubelet-file.ts).
export { addAgentOptions } from './agent-options.js';
export { loadAgentConfig, AGENT_DEFAULTS, LOG_LEVELS, type AgentConfig, type AgentConfigEnv, type LogLevel } from './agent-config.js';
export { parseGoDuration } from '../../base/duration.js';
export { KUBELET_CONFIG_API_VERSION, KUBELET_CONFIG_KIND } from './kubelet-file.js';
