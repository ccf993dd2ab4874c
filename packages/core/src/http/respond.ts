import { type AcmeProblem, problemDocument } from "../problems.js";
import type { AcmeReply } from "./reply.js";

export interface ResponseDecoration {
  /** A fresh nonce for the endpoint (RFC 8555 §6.5: on every response, errors included). */
  readonly nonce?: string;
  /** The endpoint's directory URL, for `Link: rel="index"` (RFC 8555 §7.1). */
  readonly index?: string;
}

export function replyResponse(reply: AcmeReply, decoration: ResponseDecoration): Response {
  const headers = baseHeaders(decoration, reply.links);
  if (reply.location !== undefined) headers.set("Location", reply.location);
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers.set(name, value);
  let body: string | null = null;
  if (typeof reply.body === "string") {
    body = reply.body;
    headers.set("Content-Type", reply.contentType ?? "text/plain; charset=utf-8");
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    headers.set("Content-Type", reply.contentType ?? "application/json");
  }
  return new Response(body, { status: reply.status, headers });
}

export function problemResponse(p: AcmeProblem, decoration: ResponseDecoration): Response {
  const headers = baseHeaders(decoration);
  headers.set("Content-Type", "application/problem+json");
  for (const [name, value] of Object.entries(p.headers ?? {})) headers.set(name, value);
  return new Response(JSON.stringify(problemDocument(p)), { status: p.status, headers });
}

function baseHeaders(decoration: ResponseDecoration, links: AcmeReply["links"] = []): Headers {
  const headers = new Headers();
  // RFC 8555 §6.5: clients must not cache nonce-carrying responses.
  headers.set("Cache-Control", "no-store");
  if (decoration.nonce !== undefined) headers.set("Replay-Nonce", decoration.nonce);
  const linkValues = links.map((l) => `<${l.url}>;rel="${l.rel}"`);
  if (decoration.index !== undefined) linkValues.push(`<${decoration.index}>;rel="index"`);
  for (const value of linkValues) headers.append("Link", value);
  return headers;
}
