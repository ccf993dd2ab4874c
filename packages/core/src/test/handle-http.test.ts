import { describe, expect, it } from "vitest";
import type { AcmeHttpRequest } from "../http/message.js";
import { setup } from "./setup.js";

/** A request as a host hands it over: no web Request, a body reader that may refuse. */
function message(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body: Uint8Array | "too large" | "lost" = new Uint8Array(0),
): AcmeHttpRequest & { reads: number[] } {
  const reads: number[] = [];
  return {
    method,
    url,
    reads,
    header: (name) => headers[name],
    readBody: async (limit) => {
      reads.push(limit);
      if (body === "lost") throw new Error("connection reset");
      return body === "too large" ? undefined : body;
    },
  };
}

describe("server.handleHttp (no web Request/Response)", () => {
  it("answers status, header pairs and a string body, each Link its own pair", async () => {
    const { server, endpoint } = await setup();
    const answer = await server.handleHttp(message("GET", endpoint.endpointUrl.replace("directory", "nope")));
    expect(answer.status).toBe(404);
    const names = answer.headers.map(([name]) => name);
    expect(names).toContain("replay-nonce");
    expect(names.every((n) => n === n.toLowerCase())).toBe(true);
    expect(answer.headers.filter(([name]) => name === "link")).toEqual([
      ["link", `<${endpoint.endpointUrl}>;rel="index"`],
    ]);
    expect(JSON.parse(answer.body ?? "")).toMatchObject({ type: "urn:ietf:params:acme:error:malformed" });
  });

  it("answers HEAD without a body but with the length the body would have", async () => {
    const { server, endpoint } = await setup();
    const get = await server.handleHttp(message("GET", endpoint.endpointUrl));
    const head = await server.handleHttp(message("HEAD", endpoint.endpointUrl));
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
    expect(new Map(head.headers).get("content-length")).toBe(String(Buffer.byteLength(get.body ?? "")));
  });

  it("asks the host for at most maxBodyBytes and answers 413 when the body is larger", async () => {
    const { server, endpoint } = await setup({}, { limits: { maxBodyBytes: 1000 } });
    const newOrder = endpoint.endpointUrl.replace("directory", "new-order");
    const request = message("POST", newOrder, { "content-type": "application/jose+json" }, "too large");
    const answer = await server.handleHttp(request);
    expect(request.reads).toEqual([1000]);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body ?? "").detail).toMatch(/larger than this server's limit of 1000 bytes/);
  });

  it("answers malformed, not 500, when the host cannot read the body", async () => {
    const { server, endpoint } = await setup();
    const newOrder = endpoint.endpointUrl.replace("directory", "new-order");
    const answer = await server.handleHttp(
      message("POST", newOrder, { "content-type": "application/jose+json" }, "lost"),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body ?? "").detail).toMatch(/could not be read completely/);
  });
});
