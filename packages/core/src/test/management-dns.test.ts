import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { createNodeDnsResolver } from "../ports/dns.js";

/*
 * The default resolver against a tiny DNS server on loopback. What matters is the mapping:
 * "no such record" (NXDOMAIN, NODATA) is an answer, ok([]), while SERVFAIL is a DnsError —
 * re-validation revokes coverage on the first and must not on the second.
 */

type Zone = Record<string, { rcode?: number; cname?: string; txt?: string[] }>;

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

function encodeName(name: string): Buffer {
  return Buffer.concat([
    ...name.split(".").map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])),
    Buffer.from([0]),
  ]);
}

/** Answers each query from `zone` (by lower-case name): an rcode, a CNAME or a TXT record. */
async function dnsServer(zone: Zone): Promise<string> {
  const socket = createSocket("udp4");
  sockets.push(socket);
  socket.on("message", (query, peer) => {
    let offset = 12;
    const labels: string[] = [];
    for (let length = query[offset] ?? 0; length > 0; length = query[offset] ?? 0) {
      labels.push(query.subarray(offset + 1, offset + 1 + length).toString());
      offset += length + 1;
    }
    const question = query.subarray(12, offset + 5);
    const entry = zone[labels.join(".").toLowerCase()];
    const qtype = query.readUInt16BE(offset + 1);
    const rdata =
      qtype === 5 && entry?.cname !== undefined
        ? encodeName(entry.cname)
        : qtype === 16 && entry?.txt !== undefined
          ? Buffer.concat(entry.txt.map((t) => Buffer.concat([Buffer.from([t.length]), Buffer.from(t)])))
          : undefined;
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8580 | (entry === undefined ? 3 : (entry.rcode ?? 0)), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(rdata === undefined ? 0 : 1, 6);
    const answer =
      rdata === undefined
        ? Buffer.alloc(0)
        : Buffer.concat([
            Buffer.from([0xc0, 0x0c, 0, qtype, 0, 1, 0, 0, 0, 60, rdata.length >> 8, rdata.length & 0xff]),
            rdata,
          ]);
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return `127.0.0.1:${socket.address().port}`;
}

describe("createNodeDnsResolver", () => {
  it("answers records, ok([]) for absent ones, and a DnsError when the server fails", async () => {
    const server = await dnsServer({
      "_acme-endpoints-1.example.test": { cname: "abc.validation.acme-endpoints.invalid" },
      "txt.example.test": { txt: ["part-1", "part-2"] },
      "broken.example.test": { rcode: 2 },
    });
    const dns = createNodeDnsResolver({ servers: [server], tries: 1, timeoutMs: 2_000 });
    expect((await dns.resolveCname("_acme-endpoints-1.example.test"))._unsafeUnwrap()).toEqual([
      "abc.validation.acme-endpoints.invalid",
    ]);
    expect((await dns.resolveTxt("txt.example.test"))._unsafeUnwrap()).toEqual([["part-1", "part-2"]]);
    expect((await dns.resolveCname("nxdomain.example.test"))._unsafeUnwrap()).toEqual([]); // NXDOMAIN
    expect((await dns.resolveCname("txt.example.test"))._unsafeUnwrap()).toEqual([]); // NODATA
    expect((await dns.resolveCname("broken.example.test"))._unsafeUnwrapErr()).toMatchObject({
      type: "dnsFailure",
      code: "ESERVFAIL",
      message: expect.stringMatching(/broken\.example\.test failed \(ESERVFAIL\)/),
    });
  });
});
