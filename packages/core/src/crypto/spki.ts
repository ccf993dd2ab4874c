import type { KeyObject } from "node:crypto";

/*
 * node:crypto's SPKI export goes through OpenSSL 3's encoder framework and costs about as much
 * as an ECDSA verification. A finalize exports the CSR's key once when parsing it and again
 * when the CA builds the certificate: remembering the bytes per KeyObject (immutable) halves that.
 */
const exported = new WeakMap<KeyObject, Uint8Array>();

/**
 * The SubjectPublicKeyInfo DER (RFC 5280 §4.1.2.7) of a public KeyObject, as node:crypto
 * encodes it. Throws for a key that is not public (callers wrap it). The bytes are shared:
 * do not modify them.
 */
export function spkiDerOf(publicKey: KeyObject): Uint8Array {
  let der = exported.get(publicKey);
  if (der === undefined) {
    der = new Uint8Array(publicKey.export({ type: "spki", format: "der" }));
    exported.set(publicKey, der);
  }
  return der;
}

/** Records the DER of a key imported from bytes known to be node:crypto's own encoding of it. */
export function rememberSpkiDer(publicKey: KeyObject, der: Uint8Array): void {
  exported.set(publicKey, der);
}
