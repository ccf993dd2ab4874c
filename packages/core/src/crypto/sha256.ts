import { Buffer } from "node:buffer";
import * as nodeCrypto from "node:crypto";

/*
 * node:crypto's one-shot `hash` (Node 20.12+) skips the Hash object a `createHash` call sets
 * up, which costs more than hashing a key or a certificate; older Node takes the long way.
 * Its "buffer" output is a fresh ArrayBuffer from C++ (~1.2 µs on Node 20, ~9 µs per
 * certificate in the in-process profile); the digest as a "binary" (latin1) string, one char
 * per octet, then a Buffer from the pool costs ~0.45 µs for the same octets.
 */
const oneShot = typeof nodeCrypto.hash === "function" ? nodeCrypto.hash : undefined;

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Buffer;
/** SHA-256 of `data`, base64url (RFC 4648 §5, no padding). */
export function sha256(data: Uint8Array, encoding: "base64url"): string;
export function sha256(data: Uint8Array, encoding?: "base64url"): Buffer | string {
  if (encoding === undefined) {
    return oneShot
      ? Buffer.from(oneShot("sha256", data, "binary"), "latin1")
      : nodeCrypto.createHash("sha256").update(data).digest();
  }
  return oneShot
    ? oneShot("sha256", data, encoding)
    : nodeCrypto.createHash("sha256").update(data).digest(encoding);
}
