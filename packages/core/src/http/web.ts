import type { AcmeHttpRequest, AcmeHttpResponse } from "./message.js";

/** A web `Request` as core reads requests: hosts with Fetch API handlers (Deno, Bun, workers). */
export function fromWebRequest(request: Request): AcmeHttpRequest {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name) ?? undefined,
    readBody: (limit) => readWebBody(request.body, limit),
  };
}

/** Core's answer as a web `Response`; repeated Link fields stay separate header entries. */
export function toWebResponse(answer: AcmeHttpResponse): Response {
  return new Response(answer.body ?? null, {
    status: answer.status,
    headers: answer.headers as [string, string][],
  });
}

/** Reads a web body stream chunk by chunk, cancelling it once it passes `limit` bytes. */
async function readWebBody(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
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
  return concatChunks(chunks, size);
}

/** One array of `size` bytes from chunks (the chunk itself when there is one). */
function concatChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
