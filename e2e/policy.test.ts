import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkIssuedChain } from "./support/certificates.js";
import {
  type ClientRun,
  certbotCertonly,
  certbotDirs,
  certbotLive,
  lego,
  Scratch,
} from "./support/clients.js";
import { type ExampleServer, startExampleServer } from "./support/server.js";
import { certbotTool, legoTool, requireTool } from "./support/tools.js";

// Endpoint policies seen through real clients: each describe starts a server with the policy.
// certbot 2.1 on Python 3.11 hides ACME error types behind "AttributeError: can't set
// attribute" (certbot/certbot#9539); ClientRun.output includes its debug log, which has them.

const SUITE = "policy";
// it.skipIf(xT.skip): skipped only when that client is missing outside CI (a console warning
// says which and how to install it); with CI set, requireTool() makes those tests fail instead.
const certbotT = certbotTool();
const legoT = legoTool();
const scratch = new Scratch();

afterAll(() => scratch.cleanup());

function expectAcmeError(got: ClientRun, type: string): void {
  expect(got.result.timedOut, got.report).toBe(false);
  expect(got.result.code, got.report).not.toBe(0);
  expect(got.output, got.report).toContain(`urn:ietf:params:acme:error:${type}`);
}

describe("--key-algorithms EC_prime256v1", () => {
  let server: ExampleServer;
  beforeAll(async () => {
    if (certbotT.skip && legoT.skip) return; // neither client installed and not in CI
    server = await startExampleServer({ domains: ["example.test"], keyAlgorithms: ["EC_prime256v1"] });
  }, 45_000);
  afterAll(() => server?.stop(), 30_000);

  it.skipIf(certbotT.skip)(
    "certbot with an allowed key (ecdsa P-256) still gets a certificate",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const got = await certbotCertonly(
        SUITE,
        "keyalg-certbot-p256",
        server,
        dirs,
        ["ok.example.test"],
        ["--register-unsafely-without-email", "--key-type", "ecdsa", "--elliptic-curve", "secp256r1"],
      );
      expect(got.ok, got.report).toBe(true);
      const live = certbotLive(dirs, "ok.example.test");
      const check = await checkIssuedChain({
        chainPem: readFileSync(live.fullchain, "utf8"),
        rootPem: readFileSync(server.tlsCaFile, "utf8"),
        names: ["ok.example.test"],
        key: { kind: "EC", curve: "prime256v1" },
      });
      expect(check.problems, `${check.summary}\n\n${got.report}`).toEqual([]);
    },
    90_000,
  );

  it.skipIf(certbotT.skip)(
    "certbot --key-type rsa --rsa-key-size 2048 fails with badCSR",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const got = await certbotCertonly(
        SUITE,
        "keyalg-certbot-rsa2048",
        server,
        dirs,
        ["www.example.test"],
        ["--register-unsafely-without-email", "--key-type", "rsa", "--rsa-key-size", "2048"],
      );
      expectAcmeError(got, "badCSR");
    },
    90_000,
  );

  it.skipIf(legoT.skip)(
    "lego --key-type rsa2048 fails with badCSR",
    async () => {
      requireTool(legoT);
      const path = await scratch.dir("lego");
      const got = await lego(
        SUITE,
        "keyalg-lego-rsa2048",
        server,
        path,
        ["--email", "test@example.test", "--domains", "www.example.test", "--key-type", "rsa2048"],
        "run",
      );
      expectAcmeError(got, "badCSR");
    },
    90_000,
  );
});

describe("--contact REQUIRED", () => {
  let server: ExampleServer;
  beforeAll(async () => {
    if (certbotT.skip && legoT.skip) return; // neither client installed and not in CI
    server = await startExampleServer({ domains: ["example.test"], contact: "REQUIRED" });
  }, 45_000);
  afterAll(() => server?.stop(), 30_000);

  it.skipIf(certbotT.skip)(
    "certbot --register-unsafely-without-email fails with invalidContact",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const got = await certbotCertonly(
        SUITE,
        "contact-certbot-no-email",
        server,
        dirs,
        ["www.example.test"],
        ["--register-unsafely-without-email"],
      );
      expectAcmeError(got, "invalidContact");
    },
    90_000,
  );

  it.skipIf(certbotT.skip)(
    "certbot with --email registers and gets a certificate",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const got = await certbotCertonly(
        SUITE,
        "contact-certbot-email",
        server,
        dirs,
        ["www.example.test"],
        ["--email", "test@example.test", "--no-eff-email"],
      );
      expect(got.ok, got.report).toBe(true);
    },
    90_000,
  );

  it.skipIf(legoT.skip)(
    "lego without --email fails: refused locally by lego, or invalidContact from the server",
    async () => {
      requireTool(legoT);
      const path = await scratch.dir("lego");
      const got = await lego(
        SUITE,
        "contact-lego-no-email",
        server,
        path,
        ["--domains", "www.example.test"],
        "run",
      );
      expect(got.result.timedOut, got.report).toBe(false);
      expect(got.result.code, got.report).not.toBe(0);
      // lego 4.x will not register without an email ("You have to pass an account (email
      // address) to the program using --email or -m") and never reaches the server; a lego
      // that does send the request must get invalidContact back.
      const refusedLocally = /You have to pass an account/i.test(got.output);
      if (!refusedLocally)
        expect(got.output, got.report).toContain("urn:ietf:params:acme:error:invalidContact");
    },
    90_000,
  );

  it.skipIf(legoT.skip)(
    "lego --email with a malformed address fails with invalidContact",
    async () => {
      requireTool(legoT);
      const path = await scratch.dir("lego");
      const got = await lego(
        SUITE,
        "contact-lego-bad-email",
        server,
        path,
        ["--email", "not-an-address", "--domains", "www.example.test"],
        "run",
      );
      expectAcmeError(got, "invalidContact");
    },
    90_000,
  );
});
