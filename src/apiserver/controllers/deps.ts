import type { InformerDeps } from '../../api/client/informer.js';
import type { Logger } from '../../base/log.js';

/** What every controller is built from; the manager gives them one SharedReflectors. */
export interface ControllerDeps extends InformerDeps {
  log: Logger;
}
