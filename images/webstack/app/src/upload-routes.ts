import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { FileTooLargeError, MediaStore } from "./media-store";
import { UPLOAD_FORM } from "./upload-form";

export interface UploadOptions {
  mediaDir: string;
  maxUploadBytes: number;
}

/** GET /upload: the form; POST /upload: one multipart field "file", stored in the media directory. */
export async function registerUploadRoutes(app: FastifyInstance, options: UploadOptions): Promise<void> {
  const store = new MediaStore(options.mediaDir);
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 10, parts: 11, fieldSize: 1024 },
  });

  app.get("/upload", async (_request, reply) => reply.type("text/html; charset=utf-8").send(UPLOAD_FORM));

  app.post("/upload", async (request, reply) => {
    if (!request.isMultipart()) {
      return reply.code(415).send({ error: 'send multipart/form-data with the file in a field named "file"' });
    }
    const part = await request.file();
    if (!part || part.fieldname !== "file") {
      part?.file.resume();
      return reply.code(400).send({ error: 'the form has no file in a field named "file"' });
    }
    try {
      const stored = await store.save(part.filename, part.file, options.maxUploadBytes);
      request.log.info({ file: stored.name, bytes: stored.bytes }, "file uploaded");
      const url = `/media/${encodeURIComponent(stored.name)}`;
      return reply.code(201).header("location", url).send({ file: stored.name, url, bytes: stored.bytes });
    } catch (err) {
      if (err instanceof FileTooLargeError) return reply.code(413).send({ error: err.message });
      throw err;
    }
  });
}
