import type { Buffer } from "node:buffer";
import * as nodeCrypto from "node:crypto";

/*
 * node:crypto's one-shot `hash` (Node 20.12+) skips the Hash object a `createHash` call sets
 * up, which costs more than hashing a key or a certificate; older Node takes the long way.
 */
const oneShot = typeof nodeCrypto.hash === "function" ? nodeCrypto.hash : undefined;

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Buffer;
/** SHA-256 of `data`, base64url (RFC 4648 §5, no padding). */
export function sha256(data: Uint8Array, encoding: "base64url"): string;
export function sha256(data: Uint8Array, encoding?: "base64url"): Buffer | string {
  if (encoding === undefined) {
    return oneShot
      ? oneShot("sha256", data, "buffer")
      : nodeCrypto.createHash("sha256").update(data).digest();
  }
  return oneShot
    ? oneShot("sha256", data, encoding)
    : nodeCrypto.createHash("sha256").update(data).digest(encoding);
}
