// Child process of the SQLite durability test: opens the store at argv[2] and creates keys
// /durable/<n> as fast as it can, a few at a time, printing "<n> <revision>" once each write is
// acknowledged. The test kills it with SIGKILL somewhere in the middle.
import { SqliteStore } from '../../../src/apiserver/storage/sqlite.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: sqlite-writer.js FILE');
  process.exit(2);
}
const store = new SqliteStore({ file, compaction: false });
let next = 0;
const writer = async (): Promise<void> => {
  for (;;) {
    const n = next++;
    const kv = await store.create(`/durable/${String(n).padStart(6, '0')}`, JSON.stringify({ n }));
    process.stdout.write(`${n} ${kv.modRevision}\n`);
  }
};
await Promise.all(Array.from({ length: 4 }, () => writer()));
