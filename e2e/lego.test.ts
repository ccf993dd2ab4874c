import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkIssuedChain, type ExpectedKey } from "./support/certificates.js";
import { lego, legoFiles, Scratch } from "./support/clients.js";
import { type ExampleServer, startExampleServer } from "./support/server.js";
import { legoTool, requireTool } from "./support/tools.js";

const SUITE = "lego";
// Tests use it.skipIf(tool.skip): skipped only when lego is missing outside CI (a console
// warning says "lego not installed (apt-get install lego)"); with CI set they fail instead.
const tool = legoTool();
const scratch = new Scratch();
const EMAIL = ["--email", "test@example.test"];

afterAll(() => scratch.cleanup());

describe("lego against the example server (pre-approved example.test)", () => {
  let server: ExampleServer;
  beforeAll(async () => {
    if (tool.skip) return; // lego not installed and not in CI: every test below is skipped
    requireTool(tool); // in CI a missing lego fails here, loudly
    server = await startExampleServer({ domains: ["example.test"] });
  }, 45_000);
  afterAll(() => server?.stop(), 30_000);

  const cases: { keyType: string; name: string; key: ExpectedKey }[] = [
    { keyType: "ec256", name: "www.example.test", key: { kind: "EC", curve: "prime256v1" } },
    { keyType: "ec384", name: "p384.example.test", key: { kind: "EC", curve: "secp384r1" } },
    { keyType: "rsa2048", name: "rsa.example.test", key: { kind: "RSA", bits: 2048 } },
  ];
  const issued = new Map<string, { path: string; name: string; serial: string }>();

  const check = async (path: string, name: string, key: ExpectedKey) => {
    const files = legoFiles(path, name);
    return checkIssuedChain({
      chainPem: readFileSync(files.crt, "utf8"),
      rootPem: readFileSync(server.tlsCaFile, "utf8"),
      names: [name],
      key,
      privateKeyPem: readFileSync(files.key, "utf8"),
    });
  };

  for (const c of cases) {
    it.skipIf(tool.skip)(
      `run --key-type ${c.keyType} for ${c.name}`,
      async () => {
        const path = await scratch.dir("lego");
        const got = await lego(
          SUITE,
          `run-${c.keyType}`,
          server,
          path,
          [...EMAIL, "--domains", c.name, "--key-type", c.keyType],
          "run",
        );
        expect(got.ok, got.report).toBe(true);
        const result = await check(path, c.name, c.key);
        expect(result.problems, `${result.summary}\n\n${got.report}`).toEqual([]);
        issued.set(c.keyType, { path, name: c.name, serial: result.leaf!.serialNumber });
      },
      90_000,
    );
  }

  it.skipIf(tool.skip)(
    "renew --days 999 replaces the certificate with one of a different serial",
    async () => {
      const first = issued.get("ec384");
      expect(first, "needs the ec384 certificate from the test above").toBeDefined();
      const { path, name, serial } = first!;
      const got = await lego(
        SUITE,
        "renew-ec384",
        server,
        path,
        [...EMAIL, "--domains", name, "--key-type", "ec384"],
        "renew",
        // --days beyond the lifetime forces renewal; lego 4.x sleeps randomly unless told not to.
        ["--days", "999", "--no-random-sleep"],
      );
      expect(got.ok, got.report).toBe(true);
      const result = await check(path, name, { kind: "EC", curve: "secp384r1" });
      expect(result.problems, `${result.summary}\n\n${got.report}`).toEqual([]);
      expect(
        result.leaf!.serialNumber,
        `renewal kept serial ${serial}\n${result.summary}\n\n${got.report}`,
      ).not.toBe(serial);
    },
    90_000,
  );

  it.skipIf(tool.skip)(
    "a wildcard plus its apex in one certificate, then revoke --reason 1 (keyCompromise)",
    async () => {
      const path = await scratch.dir("lego");
      const names = ["*.example.test", "example.test"];
      const got = await lego(
        SUITE,
        "run-wildcard",
        server,
        path,
        [...EMAIL, ...names.flatMap((n) => ["--domains", n])],
        "run",
      );
      expect(got.ok, got.report).toBe(true);
      const files = legoFiles(path, names[0]!);
      const result = await checkIssuedChain({
        chainPem: readFileSync(files.crt, "utf8"),
        rootPem: readFileSync(server.tlsCaFile, "utf8"),
        names,
        key: { kind: "EC", curve: "prime256v1" },
        privateKeyPem: readFileSync(files.key, "utf8"),
      });
      expect(result.problems, `${result.summary}\n\n${got.report}`).toEqual([]);

      // lego revokes per --domains entry, by certificate file: name the file's domain only.
      const revoked = await lego(
        SUITE,
        "revoke-wildcard",
        server,
        path,
        [...EMAIL, "--domains", names[0]!],
        "revoke",
        ["--reason", "1"],
      );
      expect(revoked.ok, revoked.report).toBe(true);
      expect(revoked.output, revoked.report).toMatch(/Certificate was revoked/);
    },
    120_000,
  );

  it.skipIf(tool.skip)(
    "a name outside the pre-approved domains fails with rejectedIdentifier",
    async () => {
      const path = await scratch.dir("lego");
      const got = await lego(
        SUITE,
        "rejected-identifier",
        server,
        path,
        [...EMAIL, "--domains", "www.not-approved.test"],
        "run",
      );
      expect(got.result.code, got.report).not.toBe(0);
      expect(got.result.timedOut, got.report).toBe(false);
      expect(got.output, got.report).toContain("urn:ietf:params:acme:error:rejectedIdentifier");
    },
    90_000,
  );
});
