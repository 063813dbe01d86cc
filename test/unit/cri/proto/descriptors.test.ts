// The committed table must be what the generator makes of api.proto today.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// From dist/test/unit/cri/proto/ (compiled) back to the source tree.
const ROOT = new URL('../../../../../', import.meta.url);

test('cri-descriptors.ts is up to date with api.proto (else: node scripts/gen-cri-codec.mjs)', async () => {
  const lib: unknown = await import(new URL('scripts/lib/cri-descriptors.mjs', ROOT).href);
  assert.ok(typeof lib === 'object' && lib !== null && 'generateCriDescriptors' in lib);
  const generate = lib.generateCriDescriptors;
  assert.equal(typeof generate, 'function');
  const fresh: unknown = (generate as (file: string) => unknown)(fileURLToPath(new URL('src/cri/proto/api.proto', ROOT)));
  const committed = readFileSync(new URL('src/cri/proto/cri-descriptors.ts', ROOT), 'utf8');
  assert.equal(fresh, committed);
});
