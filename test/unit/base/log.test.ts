import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger } from '../../../src/base/log.js';

/** A logger whose transport is swapped for one that collects the JSON lines. */
function capture(level: string): { log: ReturnType<typeof createLogger>; lines: Record<string, unknown>[] } {
  const log = createLogger({ level, format: 'json' });
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  log.clear();
  log.add(new winston.transports.Stream({ stream: sink }));
  return { log, lines };
}

test('levels below the logger level are dropped before formatting; the rest are written', async () => {
  const { log, lines } = capture('warn');
  let formatted = 0;
  const meta = {
    toJSON() {
      formatted++;
      return { x: 1 };
    },
  };
  log.debug('quiet', { meta });
  log.info('quiet too', { meta });
  log.warn('loud', { pod: 'a' });
  log.error('louder');
  await new Promise((r) => setImmediate(r));
  assert.equal(formatted, 0, 'a disabled level must not be serialized');
  assert.deepEqual(lines.map((l) => [l.level, l.message]), [['warn', 'loud'], ['error', 'louder']]);
  assert.equal(lines[0]?.pod, 'a');
});

test('a changed level takes effect, and child loggers keep their meta', async () => {
  const { log, lines } = capture('info');
  log.debug('before');
  log.level = 'debug';
  log.debug('after');
  log.child({ controller: 'gc' }).info('from child');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines.map((l) => l.message), ['after', 'from child']);
  assert.equal(lines[1]?.controller, 'gc');
});
