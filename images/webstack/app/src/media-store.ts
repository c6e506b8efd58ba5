import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { candidateNames, safeFileName } from "./safe-name";

const NAME_ATTEMPTS = 1000;

export class FileTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the file is larger than the limit of ${limitBytes} bytes`);
  }
}

export interface StoredFile {
  name: string;
  bytes: number;
}

/**
 * Stores uploads in one directory (the media volume). A file is written under
 * a hidden temporary name first and then hard-linked to its final name:
 * link() fails if the name exists, so two uploads of "a.txt", even in two
 * workers at once, never overwrite each other, and a reader never sees half a file.
 */
export class MediaStore {
  constructor(readonly dir: string) {}

  /** Saves `content` under a safe, unused name derived from `clientName`. `truncated` says the size limit cut it short. */
  async save(clientName: string, content: Readable & { truncated?: boolean }, limitBytes: number): Promise<StoredFile> {
    const temporary = join(this.dir, `.upload-${randomBytes(8).toString("hex")}`);
    try {
      const file = createWriteStream(temporary, { flags: "wx", mode: 0o644 });
      await pipeline(content, file);
      if (content.truncated) throw new FileTooLargeError(limitBytes);
      const name = await this.linkUnderFreeName(temporary, safeFileName(clientName));
      return { name, bytes: file.bytesWritten };
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  }

  private async linkUnderFreeName(temporary: string, name: string): Promise<string> {
    for (const candidate of candidateNames(name, NAME_ATTEMPTS)) {
      try {
        await link(temporary, join(this.dir, candidate));
        return candidate;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
    throw new Error(`no free name for ${name} after ${NAME_ATTEMPTS} attempts`);
  }
}
