// gRPC message framing (grpc/doc/PROTOCOL-HTTP2.md, "Length-Prefixed-Message"): a 1-byte
// compressed flag, a 4-byte big-endian length, then the message. HTTP/2 DATA chunks cut messages
// anywhere, so the decoder is incremental: bytes go in as they arrive, whole messages come out.
import { GrpcCallError, GrpcStatus } from './status.js';

/** kubelet's limit both ways: ExecSync output and long lists fit, a runaway reply does not. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const HEADER_BYTES = 5;

/** Frames one uncompressed message; RESOURCE_EXHAUSTED when it is over `max` bytes. */
export function encodeMessage(message: Uint8Array, max = MAX_MESSAGE_BYTES): Buffer {
  if (message.length > max) {
    throw new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED, `request message of ${message.length} bytes exceeds the ${max} byte limit`);
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, HEADER_BYTES);
  return out;
}

/**
 * Reassembles messages from DATA chunks. push() returns the messages completed by a chunk (often
 * none or one) and throws a GrpcCallError on a compressed message (we never advertise an
 * encoding: INTERNAL) or one over the limit (RESOURCE_EXHAUSTED, before buffering it).
 */
export class MessageDecoder {
  /** Received bytes not yet returned: chunks, oldest first (the first may be partly consumed). */
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the message being read, or -1 while its header is incomplete. */
  private want = -1;

  constructor(private readonly max = MAX_MESSAGE_BYTES) {}

  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Bytes are copied only when a header or message spans chunks, and then once (no quadratic
    // re-concatenation of a large message arriving in many small chunks).
    for (;;) {
      if (this.want < 0) {
        if (this.pendingBytes < HEADER_BYTES) break;
        this.want = this.header(this.take(HEADER_BYTES));
      }
      if (this.pendingBytes < this.want) break;
      out.push(this.take(this.want));
      this.want = -1;
    }
    return out;
  }

  /** True when the bytes so far end exactly at a message boundary. */
  get idle(): boolean {
    return this.want < 0 && this.pendingBytes === 0;
  }

  /** The first `n` pending bytes; a view when they sit in one chunk. */
  private take(n: number): Buffer {
    this.pendingBytes -= n;
    const first = this.pending[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.pending[0];
      if (head === undefined) break; // unreachable: callers check pendingBytes
      const used = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(used);
    }
    return out;
  }

  private header(h: Buffer): number {
    const flag = h[0];
    if (flag !== 0) {
      throw new GrpcCallError(GrpcStatus.INTERNAL, `received a message with compressed flag ${String(flag)}, but no encoding was negotiated`);
    }
    const len = h.readUInt32BE(1);
    if (len > this.max) {
      throw new GrpcCallError(GrpcStatus.RESOURCE_EXHAUSTED, `received a message of ${len} bytes, over the ${this.max} byte limit`);
    }
    return len;
  }
}
