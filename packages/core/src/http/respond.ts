import { Buffer } from "node:buffer";
import { type AcmeProblem, problemDocument } from "../problems.js";
import type { AcmeHttpResponse } from "./message.js";
import type { AcmeReply } from "./reply.js";

export interface ResponseDecoration {
  /** A fresh nonce for the endpoint (RFC 8555 §6.5: on every response, errors included). */
  readonly nonce?: string;
  /** The endpoint's directory URL, for `Link: rel="index"` (RFC 8555 §7.1). */
  readonly index?: string;
  /**
   * A HEAD request: the answer has no body but the Content-Length the body would have
   * (RFC 9110 §9.3.2, §8.6), which also lets HTTP/1.1 clients keep the connection.
   */
  readonly head?: boolean;
}

type HeaderPairs = [string, string][];

export function replyResponse(reply: AcmeReply, decoration: ResponseDecoration): AcmeHttpResponse {
  const headers = baseHeaders(decoration, reply.links);
  if (reply.location !== undefined) headers.push(["location", reply.location]);
  if (reply.headers !== undefined)
    for (const name in reply.headers) headers.push([name.toLowerCase(), reply.headers[name]!]);
  let body: string | undefined;
  if (typeof reply.body === "string") {
    body = reply.body;
    headers.push(["content-type", reply.contentType ?? "text/plain; charset=utf-8"]);
  } else if (reply.body !== undefined) {
    body = JSON.stringify(reply.body);
    headers.push(["content-type", reply.contentType ?? "application/json"]);
  }
  return finish(reply.status, headers, body, decoration.head === true);
}

export function problemResponse(p: AcmeProblem, decoration: ResponseDecoration): AcmeHttpResponse {
  const headers = baseHeaders(decoration);
  headers.push(["content-type", "application/problem+json"]);
  if (p.headers !== undefined)
    for (const name in p.headers) headers.push([name.toLowerCase(), p.headers[name]!]);
  return finish(p.status, headers, JSON.stringify(problemDocument(p)), decoration.head === true);
}

function finish(
  status: number,
  headers: HeaderPairs,
  body: string | undefined,
  head: boolean,
): AcmeHttpResponse {
  if (!head) return body === undefined ? { status, headers } : { status, headers, body };
  headers.push(["content-length", String(body === undefined ? 0 : Buffer.byteLength(body))]);
  return { status, headers };
}

// Names are lower case, as HTTP/2 and Headers have them.
function baseHeaders(decoration: ResponseDecoration, links?: AcmeReply["links"]): HeaderPairs {
  // RFC 8555 §6.5: clients must not cache nonce-carrying responses.
  const headers: HeaderPairs = [["cache-control", "no-store"]];
  if (decoration.nonce !== undefined) headers.push(["replay-nonce", decoration.nonce]);
  if (links !== undefined) for (const l of links) headers.push(["link", `<${l.url}>;rel="${l.rel}"`]);
  if (decoration.index !== undefined) headers.push(["link", `<${decoration.index}>;rel="index"`]);
  return headers;
}
