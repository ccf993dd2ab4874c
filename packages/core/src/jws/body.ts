import { errAsync, ResultAsync } from "neverthrow";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * Reads a request body up to `limit` bytes, with or without Content-Length (chunked bodies
 * are counted as they stream), so an oversized body is refused with 413 before it is buffered.
 */
export function readBody(request: Request, limit: number): ResultAsync<Uint8Array, AcmeProblem> {
  const tooLarge = () =>
    problem("malformed", `Request body is larger than this server's limit of ${limit} bytes.`, {
      status: 413,
    });
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) return errAsync(tooLarge());
  if (request.body === null) return ResultAsync.fromSafePromise(Promise.resolve(new Uint8Array(0)));
  const reader = request.body.getReader();
  const read = async (): Promise<Uint8Array | undefined> => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return undefined;
      }
      chunks.push(value);
    }
    if (chunks.length === 1) return chunks[0];
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return body;
  };
  return ResultAsync.fromPromise(read(), () =>
    problem("malformed", "The request body could not be read completely."),
  ).andThen((body) =>
    body === undefined ? errAsync(tooLarge()) : ResultAsync.fromSafePromise(Promise.resolve(body)),
  );
}
