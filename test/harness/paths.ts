// Locations in the project, found from this file so tests work from any working directory.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

function findProjectRoot(): string {
  // Compiled, this file is dist/test/harness/paths.js: the root is three levels up.
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  if (!existsSync(path.join(root, 'package.json'))) {
    throw new Error(`test harness: no package.json in ${root}; run the compiled tests from dist/test`);
  }
  return root;
}

export const PROJECT_ROOT = findProjectRoot();

/** Where images/build.sh writes the OCI layouts. */
export const IMAGE_CACHE_DIR = path.join(PROJECT_ROOT, '.cache', 'images');
