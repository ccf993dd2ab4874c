import { Buffer } from "node:buffer";

/** RFC 7468 textual encoding: base64 in 64-character lines between BEGIN/END labels. */
export function derToPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64");
  let body = "";
  for (let i = 0; i < base64.length; i += 64) body += `${base64.slice(i, i + 64)}\n`;
  return `-----BEGIN ${label}-----\n${body || "\n"}-----END ${label}-----\n`;
}

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order (RFC 7468 §2 lax parsing: whitespace inside is ignored). */
export function pemBlocks(text: string): PemBlock[] {
  return Array.from(text.matchAll(BLOCK), (m) => ({
    label: m[1] ?? "",
    der: new Uint8Array(Buffer.from((m[2] ?? "").replace(/\s+/g, ""), "base64")),
  }));
}
