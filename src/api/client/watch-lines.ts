// A watch reply is newline-delimited JSON arriving in arbitrary chunks: this cuts it into whole
// lines without decoding partial UTF-8, and refuses a line that grows past a limit (a server or
// proxy gone wrong must not make the client buffer without bound).
import { ErrorCode, NodeletError } from '../../base/errors.js';

/** The largest single watch event accepted, as a JSON line. */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;

export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxLineBytes = MAX_WATCH_LINE_BYTES) {}

  /** The lines the chunk completes (without the newline; blank lines skipped). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl >= 0; nl = chunk.indexOf(NEWLINE, start)) {
      const part = chunk.subarray(start, nl);
      this.check(this.pendingBytes + part.length);
      const line = this.pending.length === 0 ? part : Buffer.concat([...this.pending, part]);
      this.pending = [];
      this.pendingBytes = 0;
      const text = line.toString('utf8').trim();
      if (text !== '') lines.push(text);
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.check(this.pendingBytes + rest.length);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
    return lines;
  }

  /** Whether an unterminated, non-blank line is buffered (the stream was cut inside an event). */
  hasPartialLine(): boolean {
    return this.pending.some((b) => b.toString('utf8').trim() !== '');
  }

  private check(bytes: number): void {
    if (bytes > this.maxLineBytes) {
      throw new NodeletError(ErrorCode.ResourceExhausted, `a watch event is larger than ${this.maxLineBytes} bytes; refusing it`);
    }
  }
}
