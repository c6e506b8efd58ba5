import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { errorAnswer } from "@container-labs/cmpt756-kit";

/**
 * /load's error answers keep the course's shape beside ours. The course's
 * loader (sfu-cmpt756 `e-k8s/loader/app.py`, `check_resp`) reads every answer
 * as JSON and reports one holding `http_status_code` as a failure; any other
 * answer must hold `<objtype>_id`, or the loader crashes (KeyError). So each
 * error of /load carries the course's `http_status_code` and `reason`, as
 * well as the `error` every other route answers.
 */
export function loadErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, message } = errorAnswer(error, request);
  return reply.code(status).send({ error: message, http_status_code: status, reason: message });
}
