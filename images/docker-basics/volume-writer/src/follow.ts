import { closeSync, fstatSync, openSync, readSync, watch, type FSWatcher } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/**
 * Polling backs up fs.watch, whose events do not arrive for every kind of
 * mount (a bind mount from a macOS or Windows host, some network filesystems).
 */
const POLL_INTERVAL_MS = 500;

/**
 * Like `tail -f` from the first byte: calls `onLine` with each complete line
 * the file holds, then with each line appended later. A file that shrinks was
 * truncated or replaced and is read again from its start; a missing file
 * reads as empty until it is back. Stops when `until` aborts.
 */
export function followLines(path: string, onLine: (line: string) => void, until: AbortSignal): void {
  let offset = 0;
  let partialLine = "";
  let decoder = new StringDecoder("utf8");

  const startOver = (): void => {
    offset = 0;
    partialLine = "";
    decoder = new StringDecoder("utf8");
  };

  const readNewBytes = (): void => {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      startOver();
      return;
    }
    try {
      const size = fstatSync(fd).size;
      if (size < offset) startOver();
      const chunk = Buffer.alloc(size - offset);
      const bytesRead = readSync(fd, chunk, 0, chunk.length, offset);
      offset += bytesRead;
      const lines = (partialLine + decoder.write(chunk.subarray(0, bytesRead))).split("\n");
      partialLine = lines.pop() ?? "";
      lines.forEach((line) => onLine(line));
    } finally {
      closeSync(fd);
    }
  };

  readNewBytes();
  const poller = setInterval(readNewBytes, POLL_INTERVAL_MS);
  let watcher: FSWatcher | undefined = watch(path, readNewBytes);
  // A watch that breaks (the file was replaced) is dropped; the poller carries on.
  watcher.on("error", () => {
    watcher?.close();
    watcher = undefined;
  });

  until.addEventListener("abort", () => {
    clearInterval(poller);
    watcher?.close();
  });
}
