// One look at the container runtime for a node status update: version and status (either failing
// means "container runtime is down", as kubelet's runtime health check), then the image list.
import { ErrorCode, errorMessage, isNodeletError } from '../../base/errors.js';
import type { Image } from '../../cri/replies.js';
import type { Runtime } from '../../cri/runtime.js';
import type { RuntimeObservation } from './node-status.js';

/** Polls the runtime. Rejects only when `signal` aborts; runtime failures become `up: false`. */
export async function observeRuntime(runtime: Runtime, opts: { signal?: AbortSignal; timeoutMs: number }): Promise<RuntimeObservation> {
  const call = { signal: opts.signal, timeoutMs: opts.timeoutMs };
  const rethrowIfCancelled = (err: unknown): void => {
    if (opts.signal?.aborted === true || isNodeletError(err, ErrorCode.Cancelled)) throw err;
  };
  let version;
  let status;
  try {
    version = await runtime.version(call);
    status = await runtime.status(call);
  } catch (err) {
    rethrowIfCancelled(err);
    return { up: false, error: errorMessage(err) };
  }
  let images: Image[] | undefined;
  try {
    images = await runtime.listImages(undefined, call);
  } catch (err) {
    rethrowIfCancelled(err);
    images = undefined;
  }
  return { up: true, version, status, images };
}
