import { Buffer } from "node:buffer";

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Thrown for transport failures; `code` names the kind for the error tally. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Mode = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-end" | "trailers" | "close" | "done";

/**
 * An HTTP/1.1 response read incrementally (RFC 9112): status line and headers, then the body by
 * Content-Length, by chunked transfer coding (Go's net/http, i.e. Pebble, chunks larger bodies),
 * or until the connection closes. One parser per request: no pipelining.
 */
export class ResponseParser {
  #mode: Mode = "head";
  /** Bytes received but not yet consumed (a head, chunk size line or CRLF split across reads). */
  #rest: Buffer | undefined;
  /** Bytes left of the body (Content-Length) or of the current chunk. */
  #remaining = 0;
  #status = 0;
  #headers: Record<string, string> = {};
  readonly #body: Buffer[] = [];
  /** Whether the connection may carry the next request once the answer is complete. */
  keepAlive = true;

  /** `noBody`: the answer to a HEAD request, which has headers only (RFC 9110 §9.3.2). */
  constructor(readonly noBody: boolean) {}

  /** Consumes bytes from the connection: the answer once it is complete, else undefined. */
  push(chunk: Buffer): HttpAnswer | undefined {
    const data = this.#rest === undefined ? chunk : Buffer.concat([this.#rest, chunk]);
    this.#rest = undefined;
    let at = 0;
    for (;;) {
      switch (this.#mode) {
        case "head": {
          const end = data.indexOf("\r\n\r\n", at);
          if (end < 0) return this.#keep(data, at);
          this.#readHead(data.toString("latin1", at, end));
          at = end + 4;
          break;
        }
        case "length":
        case "chunk-data": {
          const take = Math.min(this.#remaining, data.length - at);
          if (take > 0) this.#body.push(data.subarray(at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining > 0) return undefined;
          this.#mode = this.#mode === "length" ? "done" : "chunk-end";
          break;
        }
        case "chunk-size": {
          const eol = data.indexOf("\r\n", at);
          if (eol < 0) return this.#keep(data, at);
          // Chunk extensions (";name=value") are allowed after the size and mean nothing here.
          const size = /^[0-9a-fA-F]+/.exec(data.toString("latin1", at, eol))?.[0];
          if (size === undefined) throw badResponse("bad chunk size");
          this.#remaining = Number.parseInt(size, 16);
          this.#mode = this.#remaining === 0 ? "trailers" : "chunk-data";
          at = eol + 2;
          break;
        }
        case "chunk-end": {
          if (data.length - at < 2) return this.#keep(data, at);
          if (data[at] !== 0x0d || data[at + 1] !== 0x0a) throw badResponse("chunk not ended by CRLF");
          at += 2;
          this.#mode = "chunk-size";
          break;
        }
        case "trailers": {
          // Trailer fields, if any, up to an empty line; none of them matter to the flows.
          const eol = data.indexOf("\r\n", at);
          if (eol < 0) return this.#keep(data, at);
          if (eol === at) this.#mode = "done";
          at = eol + 2;
          break;
        }
        case "close":
          if (at < data.length) this.#body.push(data.subarray(at));
          return undefined;
        case "done":
          // Bytes after a complete answer to our only request: the connection is out of step.
          if (at < data.length) this.keepAlive = false;
          return this.#answer();
      }
    }
  }

  /** The connection closed: complete only for a body delimited by the close itself. */
  end(): HttpAnswer {
    if (this.#mode === "close") return this.#answer();
    if (this.#mode === "head" && this.#rest === undefined)
      throw new TransportError("ECONNRESET", "the connection closed without an answer");
    throw new TransportError("truncated", "the answer was cut short");
  }

  /** Keeps the unconsumed bytes for the next read: the answer is not complete yet. */
  #keep(data: Buffer, at: number): undefined {
    if (at < data.length) this.#rest = data.subarray(at);
    return undefined;
  }

  #readHead(text: string): void {
    const lines = text.split("\r\n");
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? "");
    if (status === null) throw badResponse(`bad status line ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0) throw badResponse(`bad header line ${JSON.stringify(line)}`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      // Repeated fields combine as a list (RFC 9110 §5.3), as node's http does for most names.
      const before = headers[name];
      headers[name] = before === undefined ? value : `${before}, ${value}`;
    }
    this.#status = Number(status[2]);
    this.#headers = headers;
    const connection = (headers.connection ?? "").toLowerCase();
    this.keepAlive = status[1] === "1" ? !connection.includes("close") : connection.includes("keep-alive");
    const length = headers["content-length"];
    if (this.#status < 200) {
      this.#mode = "head"; // an interim answer (100 Continue, 103): the real one follows
    } else if (this.noBody || this.#status === 204 || this.#status === 304) {
      this.#mode = "done";
    } else if ((headers["transfer-encoding"] ?? "").toLowerCase().includes("chunked")) {
      this.#mode = "chunk-size";
    } else if (length !== undefined) {
      if (!/^\d+$/.test(length)) throw badResponse(`bad Content-Length ${length}`);
      this.#remaining = Number(length);
      this.#mode = this.#remaining === 0 ? "done" : "length";
    } else {
      this.#mode = "close";
      this.keepAlive = false;
    }
  }

  #answer(): HttpAnswer {
    const body = this.#body.length === 1 ? this.#body[0]! : Buffer.concat(this.#body);
    return { status: this.#status, headers: this.#headers, body };
  }
}

function badResponse(message: string): TransportError {
  return new TransportError("bad-response", message);
}
