/**
 * The server's log: one line per event on stdout, which `docker logs` shows.
 * Stdout is a pipe that may be read more slowly than clients send (a busy log
 * driver, a test harness): what it cannot take yet waits in memory, so the
 * connections ask `full()` and stop reading until `whenDrained` calls them back.
 */
export class Log {
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {
    out.on("drain", () => this.waiting.splice(0).forEach((resume) => resume()));
  }

  /** Writes one line; false once the stream's buffer is full. */
  line(message: string): boolean {
    return this.out.write(`${message}\n`);
  }

  whenDrained(resume: () => void): void {
    this.waiting.push(resume);
  }
}
