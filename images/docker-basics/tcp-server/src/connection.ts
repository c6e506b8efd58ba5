import type { Socket } from "node:net";
import type { Log } from "./log";
import type { ServerLimits } from "./settings";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** The answer to one line, without its newline. */
export type Answer = (line: string) => string;

/**
 * Answers each line a client sends (ended by "\n" or "\r\n"; a last line
 * without one is answered when the client ends its side, which the server then
 * ends too). What one client can make the server hold is bounded:
 * - input: at most one unfinished line, up to maxLineBytes; past that the
 *   client gets an error line and the connection is closed;
 * - output: once the socket's write buffer is full (a client that does not
 *   read its answers), or the log's, the server stops reading until it
 *   drains, so answers and log lines never pile up faster than they leave;
 * - time: idleTimeoutMs without a byte in either direction closes it.
 * The socket must be created with allowHalfOpen, so that the answers to the
 * last lines still go out after the client has ended its side.
 */
export function serveLines(socket: Socket, peer: string, limits: ServerLimits, answer: Answer, log: Log): void {
  let unread: Buffer = Buffer.alloc(0);
  let inputEnded = false;
  /** Full buffers (the socket's, the log's) this connection waits on before it reads on. */
  let fullBuffers = 0;
  let refused = false;

  socket.setTimeout(limits.idleTimeoutMs, () => {
    log.line(`closing the connection from ${peer}: idle for ${limits.idleTimeoutMs} ms`);
    socket.destroy();
  });
  // A reset (or any socket error) ends this connection only; the socket is destroyed after 'error'.
  socket.on("error", (err) => log.line(`connection from ${peer} failed: ${err.message}`));
  socket.on("data", (chunk: Buffer) => {
    if (refused) return;
    unread = unread.length === 0 ? chunk : Buffer.concat([unread, chunk]);
    answerLines();
  });
  socket.on("end", () => {
    inputEnded = true;
    answerLines();
  });

  function waitForDrain(drained: (resume: () => void) => void): void {
    fullBuffers += 1;
    socket.pause();
    drained(() => {
      fullBuffers -= 1;
      if (fullBuffers > 0 || socket.destroyed) return;
      answerLines();
      if (fullBuffers === 0 && !refused) socket.resume();
    });
  }

  function answerLines(): void {
    while (fullBuffers === 0 && !refused) {
      const newline = unread.indexOf(NEWLINE);
      if ((newline === -1 ? unread.length : newline) > limits.maxLineBytes) return refuse();
      if (newline === -1) {
        if (inputEnded) finish();
        return;
      }
      reply(unread.subarray(0, newline));
      unread = unread.subarray(newline + 1);
    }
  }

  function reply(bytes: Buffer): void {
    const end = bytes.at(-1) === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    const line = bytes.toString("utf8", 0, end);
    if (!log.line(`received "${line}" from ${peer}`)) waitForDrain((resume) => log.whenDrained(resume));
    if (!socket.write(`${answer(line)}\n`)) waitForDrain((resume) => socket.once("drain", resume));
  }

  function finish(): void {
    if (unread.length > 0) reply(unread);
    unread = Buffer.alloc(0);
    socket.end();
  }

  /** Stops reading: the rest of the line stays in the kernel's buffers until the idle timeout closes the socket. */
  function refuse(): void {
    refused = true;
    unread = Buffer.alloc(0);
    socket.pause();
    log.line(`refused a line longer than ${limits.maxLineBytes} bytes from ${peer}, closing`);
    socket.end(`error: line longer than ${limits.maxLineBytes} bytes (MAX_LINE_BYTES), closing the connection\n`);
  }
}
