/**
 * Splits the Engine API's multiplexed log stream (containers without a TTY)
 * into payloads: each frame is an 8-byte header (stream type, 3 zero bytes,
 * big-endian payload length) and the payload. Frames may span chunks.
 */
export class DockerLogDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onPayload: (payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const end = 8 + this.pending.readUInt32BE(4);
      if (this.pending.length < end) return;
      this.onPayload(this.pending.subarray(8, end));
      this.pending = this.pending.subarray(end);
    }
  }
}
