// CRI endpoints as kubelet's --container-runtime-endpoint takes them: unix sockets only (Linux).
import { isAbsolute, normalize } from 'node:path';
import { ErrorCode, NodeletError } from '../base/errors.js';

export interface CriEndpoint {
  /** The socket's absolute path. */
  readonly socketPath: string;
  /** The endpoint in canonical form, `unix:///abs/path`. */
  readonly target: string;
}

/**
 * Accepts `unix:///abs/path`, `unix:/abs/path` and a bare absolute path (kubelet accepts the
 * last with a deprecation warning). Anything else (tcp://, npipe://, relative paths, a host part
 * as in `unix://host/path`) is InvalidConfig.
 */
export function parseCriEndpoint(endpoint: string): CriEndpoint {
  const raw = endpoint.trim();
  let path: string;
  if (raw.startsWith('unix://')) {
    path = raw.slice('unix://'.length);
  } else if (raw.startsWith('unix:')) {
    path = raw.slice('unix:'.length);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    throw invalid(endpoint, 'only unix sockets are supported');
  } else {
    path = raw;
  }
  if (path === '' || !isAbsolute(path)) {
    throw invalid(endpoint, 'the socket path must be absolute, e.g. unix:///run/containerd/containerd.sock');
  }
  const socketPath = normalize(path);
  return { socketPath, target: `unix://${socketPath}` };
}

function invalid(endpoint: string, why: string): NodeletError {
  return new NodeletError(ErrorCode.InvalidConfig, `invalid CRI endpoint ${JSON.stringify(endpoint)}: ${why}`);
}
