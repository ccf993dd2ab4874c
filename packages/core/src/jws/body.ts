import { err, ok, type Result } from "neverthrow";
import type { AcmeHttpRequest } from "../http/message.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * Reads a request body up to `limit` bytes, with or without Content-Length (chunked bodies
 * are counted as they stream), so an oversized body is refused with 413 before it is buffered.
 */
export async function readBody(
  request: AcmeHttpRequest,
  limit: number,
): Promise<Result<Uint8Array, AcmeProblem>> {
  const declared = request.header("content-length");
  if (declared !== undefined && Number(declared) > limit) return err(tooLarge(limit));
  let body: Uint8Array | undefined;
  try {
    body = await request.readBody(limit);
  } catch {
    return err(problem("malformed", "The request body could not be read completely."));
  }
  return body === undefined ? err(tooLarge(limit)) : ok(body);
}

function tooLarge(limit: number): AcmeProblem {
  return problem("malformed", `Request body is larger than this server's limit of ${limit} bytes.`, {
    status: 413,
  });
}
