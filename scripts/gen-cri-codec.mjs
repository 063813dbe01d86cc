// Regenerates src/cri/proto/cri-descriptors.ts, the table codec.ts encodes and decodes CRI
// messages with, from src/cri/proto/api.proto. Run by hand after editing the .proto:
//   node scripts/gen-cri-codec.mjs
// The unit test test/unit/cri/proto/descriptors.test.ts fails while the committed table is stale.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { generateCriDescriptors } from './lib/cri-descriptors.mjs';

const proto = fileURLToPath(new URL('../src/cri/proto/api.proto', import.meta.url));
const out = fileURLToPath(new URL('../src/cri/proto/cri-descriptors.ts', import.meta.url));
const text = generateCriDescriptors(proto);
writeFileSync(out, text);
process.stdout.write(`wrote ${out} (${text.length} bytes)\n`);
