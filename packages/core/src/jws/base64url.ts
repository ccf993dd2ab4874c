import { Buffer } from "node:buffer";

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const EMPTY = Buffer.alloc(0);

/** Strict base64url (RFC 4648 §5, no padding, RFC 7515 §2): undefined when not. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  const length = text.length;
  if (length % 4 === 1 || !BASE64URL.test(text)) return undefined;
  if (length === 0) return EMPTY; // POST-as-GET: no bytes to allocate.
  // Every character is valid, so the size is known: one write, not Buffer.from's measuring pass.
  const size = (length * 3) >> 2;
  const bytes = Buffer.allocUnsafe(size);
  const written = bytes.write(text, 0, size, "base64url");
  return written === size ? bytes : bytes.subarray(0, written);
}

export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}
