import { createHash } from "node:crypto";
import type { EndpointSettings } from "./endpoint-input.js";

/**
 * The hash an idempotency token is stored with: SHA-256 (base64url) of the canonical JSON of
 * the validated input. Hashing the validated settings (defaults applied) rather than the raw
 * input means a retry that spells a default out, or lists tags in another order, is the same
 * request; any difference in the resulting endpoint is not.
 */
export function endpointInputHash(settings: EndpointSettings): string {
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const comparable = {
    ...settings,
    certificateAuthority: {
      ...settings.certificateAuthority,
      ...(settings.certificateAuthority.allowedKeyAlgorithms === undefined
        ? {}
        : { allowedKeyAlgorithms: [...settings.certificateAuthority.allowedKeyAlgorithms].sort() }),
    },
    certificateTags: [...settings.certificateTags].sort(byKey),
    tags: [...settings.tags].sort(byKey),
  };
  return createHash("sha256").update(canonicalJson(comparable)).digest("base64url");
}

/** JSON with object keys sorted at every level, so equal values always serialize equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
