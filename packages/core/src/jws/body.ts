import { errAsync, okAsync, ResultAsync } from "neverthrow";
import type { AcmeHttpRequest } from "../http/message.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * Reads a request body up to `limit` bytes, with or without Content-Length (chunked bodies
 * are counted as they stream), so an oversized body is refused with 413 before it is buffered.
 */
export function readBody(request: AcmeHttpRequest, limit: number): ResultAsync<Uint8Array, AcmeProblem> {
  const tooLarge = () =>
    problem("malformed", `Request body is larger than this server's limit of ${limit} bytes.`, {
      status: 413,
    });
  const declared = request.header("content-length");
  if (declared !== undefined && Number(declared) > limit) return errAsync(tooLarge());
  return ResultAsync.fromPromise(request.readBody(limit), () =>
    problem("malformed", "The request body could not be read completely."),
  ).andThen((body) => (body === undefined ? errAsync(tooLarge()) : okAsync(body)));
}
