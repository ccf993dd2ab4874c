import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { createTestCsr } from "../crypto/test-csr.js";
import type { CertificateAuthority } from "../ports/certificate-authority.js";
import { generateTestKey, type TestKeyType } from "../testing/acme-client.js";
import { PROBLEM, parseChain, sanNames, setup } from "./setup.js";

describe("finalize and certificate (RFC 8555 §7.4, §7.4.2)", () => {
  it.each<[TestKeyType, string]>([
    ["P-256", "ECDSA"],
    ["P-384", "ECDSA"],
    ["RSA-2048", "RSASSA-PKCS1-v1_5"],
  ])("issues in the finalize request for a %s key, with the chain", async (keyType, algorithm) => {
    const { client } = await setup();
    const acme = await client();
    const issued = await acme.issue(["www.example.test", "example.test"], keyType);
    expect(issued.order.status).toBe("valid");
    const [leaf, intermediate] = parseChain(issued.certificatePem);
    expect(parseChain(issued.certificatePem)).toHaveLength(2);
    expect(sanNames(leaf!)).toEqual(["example.test", "www.example.test"]);
    expect(leaf!.publicKey.algorithm.name).toBe(algorithm);
    expect(await leaf!.verify({ publicKey: intermediate!.publicKey, signatureOnly: true })).toBe(true);
    expect(leaf!.issuer).toBe(intermediate!.subject);
    const eku = leaf!.getExtension(x509.ExtendedKeyUsageExtension);
    expect(eku?.usages).toContain("1.3.6.1.5.5.7.3.1");
  });

  it("serves the certificate as application/pem-certificate-chain to its account only", async () => {
    const { client } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const download = await acme.send(String(issued.order.certificate), undefined);
    expect(download.headers.get("content-type")).toBe("application/pem-certificate-chain");
    const other = await client();
    await other.register();
    expect((await other.send(String(issued.order.certificate), undefined)).body).toMatchObject({
      type: PROBLEM("unauthorized"),
    });
  });

  it("enforces the endpoint's allowed key algorithms with badCSR naming both", async () => {
    const { client } = await setup({ certificateAuthority: { allowedKeyAlgorithms: ["EC_prime256v1"] } });
    const acme = await client();
    await acme.register();
    for (const type of ["RSA-2048", "P-384", "Ed25519"] as const) {
      const order = await acme.newOrder(["example.test"]);
      const csr = createTestCsr({ privateKey: generateTestKey(type).privateKey, dnsNames: ["example.test"] });
      const response = await acme.finalize(order.body, csr);
      expect(response.body, type).toMatchObject({
        type: PROBLEM("badCSR"),
        detail: expect.stringMatching(/this endpoint only issues for ECDSA P-256 \(EC_prime256v1\)/),
      });
      // A bad CSR leaves the order ready: the client may fix its CSR and retry.
      expect((await acme.send(String(order.location), undefined)).body).toMatchObject({ status: "ready" });
    }
    const rsa = await acme.newOrder(["example.test"]);
    const rsaCsr = createTestCsr({
      privateKey: generateTestKey("RSA-2048").privateKey,
      dnsNames: ["example.test"],
    });
    expect((await acme.finalize(rsa.body, rsaCsr)).body).toMatchObject({
      detail: expect.stringMatching(/key is RSA 2048/),
    });
    expect((await acme.issue(["example.test"], "P-256")).order.status).toBe("valid");
  });

  it("refuses CSRs whose names differ from the order, CA requests and the account key", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const key = generateTestKey("P-256").privateKey;
    const cases: [Parameters<typeof createTestCsr>[0], RegExp][] = [
      [{ privateKey: key, dnsNames: ["a.example.test"] }, /lacks b.example.test/],
      [
        { privateKey: key, dnsNames: ["a.example.test", "b.example.test", "c.example.test"] },
        /names c.example.test/,
      ],
      [
        { privateKey: key, commonName: "c.example.test", dnsNames: ["a.example.test", "b.example.test"] },
        /names c.example.test/,
      ],
      [
        { privateKey: key, dnsNames: ["a.example.test", "b.example.test"], requestCa: true },
        /CA certificate/,
      ],
      [
        { privateKey: key, dnsNames: ["a.example.test", "b.example.test"], ipAddresses: ["127.0.0.1"] },
        /DNS identifiers/,
      ],
      [{ privateKey: acme.accountKey, dnsNames: ["a.example.test", "b.example.test"] }, /account key/],
    ];
    for (const [options, detail] of cases) {
      const order = await acme.newOrder(["a.example.test", "b.example.test"]);
      const response = await acme.finalize(order.body, createTestCsr(options));
      expect(response.body, String(detail)).toMatchObject({
        type: PROBLEM("badCSR"),
        detail: expect.stringMatching(detail),
      });
    }
    const order = await acme.newOrder(["a.example.test", "b.example.test"]);
    const csr = createTestCsr({ privateKey: key, dnsNames: ["a.example.test", "b.example.test"] });
    const tampered = new Uint8Array(csr);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] ?? 0) ^ 0xff;
    expect((await acme.finalize(order.body, tampered)).body).toMatchObject({ type: PROBLEM("badCSR") });
    const notBase64 = await acme.send(String(order.body.finalize), { csr: "***" });
    expect(notBase64.body).toMatchObject({ type: PROBLEM("malformed") });
    // A CN that repeats a SAN is fine.
    const withCn = createTestCsr({
      privateKey: key,
      commonName: "a.example.test",
      dnsNames: ["a.example.test", "b.example.test"],
    });
    expect((await acme.finalize(order.body, withCn)).body).toMatchObject({ status: "valid" });
  });

  it("refuses to finalize twice, or an order that is not ready, with orderNotReady", async () => {
    const { client } = await setup();
    const acme = await client();
    const issued = await acme.issue(["example.test"]);
    const csr = createTestCsr({
      privateKey: generateTestKey("P-256").privateKey,
      dnsNames: ["example.test"],
    });
    const again = await acme.finalize(issued.order, csr);
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({
      type: PROBLEM("orderNotReady"),
      detail: expect.stringMatching(/is valid/),
    });
  });

  it("issues exactly one certificate when the same order is finalized concurrently", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const order = await acme.newOrder(["example.test"]);
    const csr = () =>
      createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: ["example.test"] });
    const results = await Promise.all(Array.from({ length: 4 }, () => acme.finalize(order.body, csr())));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 403, 403, 403]);
  });

  it("honours the order's notBefore/notAfter in the certificate", async () => {
    const { client } = await setup();
    const acme = await client();
    await acme.register();
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    const notAfter = new Date(notBefore.getTime() + 7 * 86_400_000);
    const order = await acme.newOrder(["example.test"], {
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
    });
    const csr = createTestCsr({
      privateKey: generateTestKey("P-256").privateKey,
      dnsNames: ["example.test"],
    });
    const done = await acme.finalize(order.body, csr);
    const pem = await acme.send<string>(String(done.body.certificate), undefined);
    const [leaf] = parseChain(pem.body);
    expect(leaf!.notBefore.getTime()).toBe(notBefore.getTime());
    expect(leaf!.notAfter.getTime()).toBe(notAfter.getTime());
  });

  it("answers processing with Retry-After when the CA is slower than finalizeWaitMs, then completes", async () => {
    const { createMemoryStorage } = await import("@acme-endpoints/storage-memory");
    const { createLocalCertificateAuthority } = await import("../ca/local.js");
    const { createTestServer } = await import("../testing/test-server.js");
    const storage = createMemoryStorage();
    const local = createLocalCertificateAuthority({ store: storage.caMaterials });
    const { ResultAsync } = await import("neverthrow");
    const slow: CertificateAuthority = {
      provision: (id) => local.provision(id),
      issue: (request) =>
        new ResultAsync(new Promise((r) => setTimeout(r, 300)).then(() => local.issue(request))),
    };
    const { client } = await createTestServer({
      storage,
      certificateAuthority: slow,
      limits: { finalizeWaitMs: 20 },
    });
    const acme = await client();
    await acme.register();
    const order = await acme.newOrder(["example.test"]);
    const csr = createTestCsr({
      privateKey: generateTestKey("P-256").privateKey,
      dnsNames: ["example.test"],
    });
    const response = await acme.finalize(order.body, csr);
    expect(response.body).toMatchObject({ status: "processing" });
    expect(response.headers.get("retry-after")).toBe("1");
    await new Promise((r) => setTimeout(r, 500));
    expect((await acme.send(String(order.location), undefined)).body).toMatchObject({ status: "valid" });
  });
});

describe("interrupted finalize (a crash mid-issuance)", () => {
  it("makes an order stuck in processing past processingTimeoutMs ready again, then completes it", async () => {
    const { createMemoryStorage } = await import("@acme-endpoints/storage-memory");
    const { createLocalCertificateAuthority } = await import("../ca/local.js");
    const { createTestServer } = await import("../testing/test-server.js");
    const { ResultAsync } = await import("neverthrow");
    const storage = createMemoryStorage();
    const local = createLocalCertificateAuthority({ store: storage.caMaterials });
    let hang = true;
    // The first issuance never answers, as if its process had died; later ones work.
    const flaky: CertificateAuthority = {
      provision: (id) => local.provision(id),
      issue: (request) => (hang ? new ResultAsync(new Promise(() => {})) : local.issue(request)),
    };
    let now = Date.now();
    const { client } = await createTestServer({
      storage,
      certificateAuthority: flaky,
      clock: { now: () => new Date(now) },
      limits: { finalizeWaitMs: 10, processingTimeoutMs: 60_000 },
    });
    const acme = await client();
    await acme.register();
    const order = await acme.newOrder(["example.test"]);
    const csr = () =>
      createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: ["example.test"] });
    expect((await acme.finalize(order.body, csr())).body).toMatchObject({ status: "processing" });
    now += 30_000;
    expect((await acme.send(String(order.location), undefined)).body).toMatchObject({ status: "processing" });
    now += 31_000;
    expect((await acme.send(String(order.location), undefined)).body).toMatchObject({ status: "ready" });
    hang = false;
    const done = await acme.finalize(order.body, csr());
    expect(done.body).toMatchObject({ status: "valid" });
    expect(done.body.certificate).toBeDefined();
  });
});
