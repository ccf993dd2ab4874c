import { okAsync } from "neverthrow";
import type { RequestContext } from "../context.js";

/**
 * RFC 8555 §7.2: HEAD answers 200, GET 204; the nonce itself is the Replay-Nonce header every
 * response carries, and Cache-Control: no-store is set on every response.
 */
export function newNonce(ctx: RequestContext) {
  return okAsync({ status: ctx.request.method === "HEAD" ? 200 : 204 });
}
