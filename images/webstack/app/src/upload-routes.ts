import multipart, { type MultipartFile } from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { prefersHtml } from "./accept";
import { FileTooLargeError, MalformedUploadError, MediaStore, QuotaFullError } from "./media-store";
import type { MediaQuota } from "./media-quota";
import { uploadPage, type UploadOutcome } from "./upload-page";

export interface UploadOptions {
  mediaDir: string;
  maxUploadBytes: number;
  quota: MediaQuota;
}

const NO_FILE = 'the form has no file in a field named "file"';

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** The status of an upload refused for the client's reasons; undefined for a fault of ours. */
function refusalStatus(err: unknown): number | undefined {
  if (err instanceof FileTooLargeError) return 413;
  if (err instanceof QuotaFullError) return 507;
  if (err instanceof MalformedUploadError) return 400;
  const status = statusOf(err);
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

/** The first part of the form; the multipart parser's own errors (no status of theirs) mean a malformed body. */
async function firstPart(request: FastifyRequest): Promise<MultipartFile | undefined> {
  try {
    return await request.file();
  } catch (err) {
    throw statusOf(err) === undefined ? new MalformedUploadError((err as Error).message) : err;
  }
}

/**
 * GET /upload: the form; POST /upload: one multipart field "file", stored in
 * the media directory. An API client gets JSON; a browser (Accept naming
 * text/html first) gets the form back with what became of its file.
 */
export async function registerUploadRoutes(app: FastifyInstance, options: UploadOptions): Promise<void> {
  const store = new MediaStore(options.mediaDir, options.quota);
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 10, parts: 11, fieldSize: 1024 },
  });

  app.get("/upload", async (_request, reply) => reply.type("text/html; charset=utf-8").send(uploadPage()));

  app.post("/upload", async (request, reply) => {
    const browser = prefersHtml(request.headers.accept);
    const answer = (status: number, json: object, outcome: UploadOutcome) =>
      browser ? reply.code(status).type("text/html; charset=utf-8").send(uploadPage(outcome)) : reply.code(status).send(json);
    const refuse = (status: number, message: string) => {
      request.log.info({ status, reason: message }, "upload refused");
      return answer(status, { error: message }, { refused: message });
    };

    if (!request.isMultipart()) return refuse(415, 'send multipart/form-data with the file in a field named "file"');
    try {
      const part = await firstPart(request);
      if (!part || part.fieldname !== "file") {
        part?.file.resume();
        return refuse(400, NO_FILE);
      }
      const stored = await store.save(part.filename, part.file, options.maxUploadBytes);
      request.log.info({ file: stored.name, bytes: stored.bytes }, "file uploaded");
      const url = `/media/${encodeURIComponent(stored.name)}`;
      reply.header("location", url);
      return answer(201, { file: stored.name, url, bytes: stored.bytes }, { stored: { ...stored, url } });
    } catch (err) {
      const status = refusalStatus(err);
      if (status === undefined) throw err;
      return refuse(status, (err as Error).message);
    }
  });
}
