import type { Socket } from "node:net";
import type { ServerLimits } from "./settings";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface LineService {
  /** The answer to one line, without its newline. */
  answer(line: string): string;
  log(message: string): void;
}

/**
 * Answers each line a client sends (ended by "\n" or "\r\n"; a last line
 * without one is answered when the client ends its side, which the server then
 * ends too). What one client can make the server hold is bounded:
 * - input: at most one unfinished line, up to maxLineBytes; past that the
 *   client gets an error line and the connection is closed;
 * - output: once the socket's write buffer is full (a client that does not
 *   read its answers), the server stops reading until it drains, so answers
 *   never pile up faster than the client takes them;
 * - time: idleTimeoutMs without a byte in either direction closes it.
 * The socket must be created with allowHalfOpen, so that the answers to the
 * last lines still go out after the client has ended its side.
 */
export function serveLines(socket: Socket, peer: string, limits: ServerLimits, service: LineService): void {
  let unread: Buffer = Buffer.alloc(0);
  let inputEnded = false;
  let waitingForDrain = false;
  let refused = false;

  socket.setTimeout(limits.idleTimeoutMs, () => {
    service.log(`closing the connection from ${peer}: idle for ${limits.idleTimeoutMs} ms`);
    socket.destroy();
  });
  // A reset (or any socket error) ends this connection only; the socket is destroyed after 'error'.
  socket.on("error", (err) => service.log(`connection from ${peer} failed: ${err.message}`));
  socket.on("data", (chunk: Buffer) => {
    if (refused) return;
    unread = unread.length === 0 ? chunk : Buffer.concat([unread, chunk]);
    answerLines();
  });
  socket.on("end", () => {
    inputEnded = true;
    answerLines();
  });
  socket.on("drain", () => {
    waitingForDrain = false;
    answerLines();
    if (!waitingForDrain && !refused) socket.resume();
  });

  function answerLines(): void {
    while (!waitingForDrain && !refused) {
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
    service.log(`received "${line}" from ${peer}`);
    if (!socket.write(`${service.answer(line)}\n`)) {
      waitingForDrain = true;
      socket.pause();
    }
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
    service.log(`refused a line longer than ${limits.maxLineBytes} bytes from ${peer}, closing`);
    socket.end(`error: line longer than ${limits.maxLineBytes} bytes (MAX_LINE_BYTES), closing the connection\n`);
  }
}
