import { createWriteStream } from "node:fs";
import { link, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { MediaQuota } from "./media-quota";
import { temporaryName } from "./media-temp";
import { candidateNames, safeFileName } from "./safe-name";

const NAME_ATTEMPTS = 1000;

export class FileTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`the file is larger than the limit of ${limitBytes} bytes`);
  }
}

export class QuotaFullError extends Error {
  constructor(readonly bytes: number, readonly usedBytes: number, readonly quotaBytes: number) {
    super(
      `the media quota of ${quotaBytes} bytes (MEDIA_QUOTA_BYTES) is full: ${usedBytes} bytes are used ` +
        `and this file needs ${bytes} more; remove uploads or raise MEDIA_QUOTA_BYTES`,
    );
  }
}

/** The multipart body broke off or was malformed while the file was read from it. */
export class MalformedUploadError extends Error {
  constructor(reason: string) {
    super(`the multipart body is malformed: ${reason}`);
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
 * workers at once, never overwrite each other, and a reader never sees half a
 * file. A file is kept only if the quota has room for it.
 */
export class MediaStore {
  constructor(readonly dir: string, private readonly quota: MediaQuota) {}

  /** Saves `content` under a safe, unused name derived from `clientName`. `truncated` says the size limit cut it short. */
  async save(clientName: string, content: Readable & { truncated?: boolean }, limitBytes: number): Promise<StoredFile> {
    const temporary = join(this.dir, temporaryName());
    // An error of the body itself (cut off, malformed) is the client's; one of the file is ours.
    let bodyError: Error | undefined;
    content.once("error", (err: Error) => (bodyError = err));
    try {
      const file = createWriteStream(temporary, { flags: "wx", mode: 0o644 });
      try {
        await pipeline(content, file);
      } catch (err) {
        throw bodyError ? new MalformedUploadError(bodyError.message) : err;
      }
      if (content.truncated) throw new FileTooLargeError(limitBytes);
      const bytes = file.bytesWritten;
      const claim = await this.quota.claim(bytes);
      if (!claim.granted) throw new QuotaFullError(bytes, claim.usedBytes, claim.quotaBytes);
      let name: string | undefined;
      try {
        name = await this.linkUnderFreeName(temporary, safeFileName(clientName));
      } finally {
        this.quota.settle(bytes, name !== undefined);
      }
      return { name, bytes };
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
