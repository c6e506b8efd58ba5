/**
 * demo-2: one program, two containers on the same volume.
 *   (no arguments) or `tail`: make sure save_file exists (seeded with
 *     "first line"), print it, and print every line appended to it until
 *     SIGTERM or SIGINT.
 *   `append <text...>`: append the text as one line to save_file and exit.
 */
import { followLines } from "./follow";
import { appendLine, saveFilePath, seedSaveFile } from "./save-file";

const USAGE = "usage: main.js [tail] | main.js append <text...>";

function tail(path: string): void {
  seedSaveFile(path);
  // Handlers first, so that once anything is printed a SIGTERM ends the tail cleanly.
  const stopped = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      console.log("terminating");
      stopped.abort();
    });
  }
  console.log(`reading ${path}`);
  followLines(path, (line) => console.log(line), stopped.signal);
}

function append(path: string, words: string[]): void {
  if (words.length === 0) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  const text = words.join(" ");
  appendLine(path, text);
  console.log(`appended "${text}" to ${path}`);
}

const [mode = "tail", ...rest] = process.argv.slice(2);
const path = saveFilePath();
if (mode === "tail" && rest.length === 0) tail(path);
else if (mode === "append") append(path, rest);
else {
  console.error(USAGE);
  process.exitCode = 2;
}
