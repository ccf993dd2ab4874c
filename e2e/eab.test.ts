import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { signExternalAccountBinding, TestAcmeClient } from "@acme-endpoints/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminClient } from "./support/admin-api.js";
import { checkIssuedChain, type ExpectedKey } from "./support/certificates.js";
import {
  type CertbotDirs,
  type ClientRun,
  certbotCertonly,
  certbotDirs,
  certbotLive,
  lego,
  legoFiles,
  Scratch,
} from "./support/clients.js";
import { HttpsTransport } from "./support/https-transport.js";
import { type ExampleServer, startExampleServer } from "./support/server.js";
import { certbotTool, legoTool, requireTool } from "./support/tools.js";

// External account binding (RFC 8555 §7.3.4) through real clients: the example server started
// with `--require-eab --eab`, its credential taken from the `--json` ready line.
//
// The directory says `meta.externalAccountRequired: true`, so certbot 2.1 and lego 4.9 refuse
// to register without EAB flags on their own ("Server requires external account binding") and
// never send the newAccount request: the client tests check that refusal, and the server's own
// answer to a newAccount without a binding (externalAccountRequired) is checked with the
// TestAcmeClient over HTTPS. certbot 2.1 hides ACME error types behind "AttributeError: can't
// set attribute" (certbot/certbot#9539); ClientRun.output includes its debug log, which has them.
//
// Key ids and HMAC keys are base64url and may begin with "-": certbot's argparse would take
// `--eab-kid -xyz` for another option, so the flags are given as `--flag=value`.

const SUITE = "eab";
const certbotT = certbotTool();
const legoT = legoTool();
const scratch = new Scratch();
const EMAIL = "test@example.test";
const P256: ExpectedKey = { kind: "EC", curve: "prime256v1" };

afterAll(() => scratch.cleanup());

interface Credential {
  readonly keyId: string;
  readonly hmacKey: string;
}

const certbotEab = (c: Credential) => [`--eab-kid=${c.keyId}`, `--eab-hmac-key=${c.hmacKey}`];
const legoEab = (c: Credential) => ["--eab", `--kid=${c.keyId}`, `--hmac=${c.hmacKey}`];
/** 256 random bits, base64url: not the credential's HMAC key. */
const wrongHmacKey = () => randomBytes(32).toString("base64url");

/** The account URL lego saved under `path` (its one account), or undefined. */
function legoAccountUrl(path: string): string | undefined {
  const accounts = join(path, "accounts");
  for (const server of existsSync(accounts) ? readdirSync(accounts) : []) {
    for (const email of readdirSync(join(accounts, server))) {
      const file = join(accounts, server, email, "account.json");
      if (!existsSync(file)) continue;
      const saved = JSON.parse(readFileSync(file, "utf8")) as { registration?: { uri?: string } };
      return saved.registration?.uri;
    }
  }
  return undefined;
}

function expectAcmeError(got: ClientRun, type: string): void {
  expect(got.result.timedOut, got.report).toBe(false);
  expect(got.result.code, got.report).not.toBe(0);
  expect(got.output, got.report).toContain(`urn:ietf:params:acme:error:${type}`);
}

/**
 * The client did not get an account: it refused on its own because the directory requires EAB
 * (what certbot 2.1 and lego 4.9 do), or the server answered externalAccountRequired.
 */
function expectEabRequired(got: ClientRun, localRefusal: RegExp): void {
  expect(got.result.timedOut, got.report).toBe(false);
  expect(got.result.code, got.report).not.toBe(0);
  expect(got.output, got.report).toMatch(
    new RegExp(`urn:ietf:params:acme:error:externalAccountRequired|${localRefusal.source}`, "i"),
  );
}

describe("--require-eab --eab: the default endpoint requires external account binding", () => {
  let server: ExampleServer;
  let credential: Credential;
  let admin: AdminClient;
  let transport: HttpsTransport;
  let rootPem: string;

  beforeAll(async () => {
    server = await startExampleServer({ domains: ["example.test"], args: ["--require-eab", "--eab"] });
    if (server.eab === undefined || server.adminUrl === undefined || server.adminToken === undefined) {
      throw new Error(
        `the ready line lacks eab/adminUrl/adminToken: ${JSON.stringify({ eab: server.eab, adminUrl: server.adminUrl })}`,
      );
    }
    credential = server.eab;
    rootPem = readFileSync(server.tlsCaFile, "utf8");
    admin = new AdminClient(server.adminUrl, server.adminToken, rootPem);
    transport = new HttpsTransport(rootPem);
  }, 45_000);
  afterAll(async () => {
    admin?.close();
    transport?.close();
    await server?.stop();
  }, 30_000);

  const check = (chainPem: string, name: string, privateKeyPem: string) =>
    checkIssuedChain({ chainPem, rootPem, names: [name], key: P256, privateKeyPem });

  const checkCertbot = async (dirs: CertbotDirs, name: string, got: ClientRun) => {
    const live = certbotLive(dirs, name);
    const result = await check(
      readFileSync(live.fullchain, "utf8"),
      name,
      readFileSync(live.privkey, "utf8"),
    );
    expect(result.problems, `${result.summary}\n\n${got.report}`).toEqual([]);
    return result;
  };
  const checkLego = async (path: string, name: string, got: ClientRun) => {
    const files = legoFiles(path, name);
    const result = await check(readFileSync(files.crt, "utf8"), name, readFileSync(files.key, "utf8"));
    expect(result.problems, `${result.summary}\n\n${got.report}`).toEqual([]);
    return result;
  };

  it("the ready line carries the credential; the server itself refuses newAccount without a binding", async () => {
    expect(credential.keyId).toMatch(/^[\w-]+$/);
    expect(Buffer.from(credential.hmacKey, "base64url")).toHaveLength(32);

    const client = await TestAcmeClient.create({ fetch: transport.fetch, directoryUrl: server.directoryUrl });
    expect(client.directory.meta).toMatchObject({ externalAccountRequired: true });
    const refused = await client.register({ termsOfServiceAgreed: true });
    expect(refused.status, JSON.stringify(refused.body)).toBeGreaterThanOrEqual(400);
    expect(refused.status, JSON.stringify(refused.body)).toBeLessThan(500);
    expect(refused.headers.get("content-type")).toContain("application/problem+json");
    expect(refused.body).toMatchObject({ type: "urn:ietf:params:acme:error:externalAccountRequired" });

    // The same key with a binding MACed with the credential registers.
    const bound = await client.register({
      termsOfServiceAgreed: true,
      externalAccountBinding: signExternalAccountBinding({
        ...credential,
        url: client.directory.newAccount,
        accountKey: client.accountKey,
      }),
    });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    expect(bound.body).toMatchObject({ status: "valid" });
  }, 30_000);

  it.skipIf(certbotT.skip)(
    "certbot --eab-kid --eab-hmac-key registers and obtains a certificate",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const name = "certbot.example.test";
      const got = await certbotCertonly(
        SUITE,
        "certbot-eab",
        server,
        dirs,
        [name],
        ["--register-unsafely-without-email", "--key-type", "ecdsa", ...certbotEab(credential)],
      );
      expect(got.ok, got.report).toBe(true);
      await checkCertbot(dirs, name, got);
    },
    90_000,
  );

  it.skipIf(certbotT.skip)(
    "certbot without EAB flags gets no account (externalAccountRequired)",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const got = await certbotCertonly(
        SUITE,
        "certbot-no-eab",
        server,
        dirs,
        ["no-eab.example.test"],
        ["--register-unsafely-without-email"],
      );
      expectEabRequired(got, /Server requires external account binding/);
      // What made it refuse is the server's directory, in certbot's log.
      expect(got.output, got.report).toContain('"externalAccountRequired":true');
    },
    90_000,
  );

  it.skipIf(certbotT.skip)(
    "certbot with a wrong HMAC key fails with unauthorized",
    async () => {
      requireTool(certbotT);
      const dirs = await certbotDirs(scratch);
      const got = await certbotCertonly(
        SUITE,
        "certbot-wrong-hmac",
        server,
        dirs,
        ["wrong.example.test"],
        [
          "--register-unsafely-without-email",
          ...certbotEab({ keyId: credential.keyId, hmacKey: wrongHmacKey() }),
        ],
      );
      expectAcmeError(got, "unauthorized");
    },
    90_000,
  );

  it.skipIf(legoT.skip)(
    "lego --eab --kid --hmac registers and obtains a certificate",
    async () => {
      requireTool(legoT);
      const path = await scratch.dir("lego");
      const name = "lego.example.test";
      const got = await lego(
        SUITE,
        "lego-eab",
        server,
        path,
        ["--email", EMAIL, "--domains", name, ...legoEab(credential)],
        "run",
      );
      expect(got.ok, got.report).toBe(true);
      await checkLego(path, name, got);
    },
    90_000,
  );

  it.skipIf(legoT.skip)(
    "lego without --eab gets no account (externalAccountRequired)",
    async () => {
      requireTool(legoT);
      const path = await scratch.dir("lego");
      const got = await lego(
        SUITE,
        "lego-no-eab",
        server,
        path,
        ["--email", EMAIL, "--domains", "no-eab.example.test"],
        "run",
      );
      expectEabRequired(got, /Server requires External Account Binding/);
    },
    90_000,
  );

  it.skipIf(legoT.skip)(
    "lego with a wrong HMAC key fails with unauthorized",
    async () => {
      requireTool(legoT);
      const path = await scratch.dir("lego");
      const got = await lego(
        SUITE,
        "lego-wrong-hmac",
        server,
        path,
        [
          "--email",
          EMAIL,
          "--domains",
          "wrong.example.test",
          ...legoEab({ keyId: credential.keyId, hmacKey: wrongHmacKey() }),
        ],
        "run",
      );
      expectAcmeError(got, "unauthorized");
      expect(got.output, got.report).toMatch(/MAC does not verify/);
    },
    90_000,
  );

  it.skipIf(certbotT.skip || legoT.skip)(
    "a credential revoked through the admin API registers no new account; accounts it bound keep working",
    async () => {
      requireTool(certbotT);
      requireTool(legoT);
      // A credential of its own, made through the admin API.
      const created = await admin.post<Credential & { status: string }>(
        `/endpoints/${server.endpointId}/eab`,
        {
          tags: [{ key: "test", value: "revoke" }],
        },
      );
      expect(created.status, created.summary).toBe(201);
      const fresh: Credential = { keyId: created.body.keyId, hmacKey: created.body.hmacKey };
      expect(created.body.status, created.summary).toBe("ACTIVE");

      // Accounts bound with it before the revocation: lego and certbot each get a certificate.
      const legoPath = await scratch.dir("lego");
      const legoName = "revoke-lego.example.test";
      const legoFlags = ["--email", EMAIL, "--domains", legoName];
      const legoFirst = await lego(
        SUITE,
        "revoke-lego-before",
        server,
        legoPath,
        [...legoFlags, ...legoEab(fresh)],
        "run",
      );
      expect(legoFirst.ok, legoFirst.report).toBe(true);
      const legoSerial = (await checkLego(legoPath, legoName, legoFirst)).leaf?.serialNumber;

      const certbotState = await certbotDirs(scratch);
      const certbotFirst = await certbotCertonly(
        SUITE,
        "revoke-certbot-before",
        server,
        certbotState,
        ["revoke-certbot-1.example.test"],
        ["--register-unsafely-without-email", "--key-type", "ecdsa", ...certbotEab(fresh)],
      );
      expect(certbotFirst.ok, certbotFirst.report).toBe(true);

      // Revoke it: the answer never shows the HMAC key; the list says REVOKED.
      const revoked = await admin.delete(
        `/endpoints/${server.endpointId}/eab/${encodeURIComponent(fresh.keyId)}`,
      );
      expect(revoked.status, revoked.summary).toBe(200);
      expect(revoked.body, revoked.summary).toMatchObject({ keyId: fresh.keyId, status: "REVOKED" });
      expect(revoked.body, revoked.summary).not.toHaveProperty("hmacKey");
      const listed = await admin.get<{ keys: { keyId: string; status: string }[] }>(
        `/endpoints/${server.endpointId}/eab`,
      );
      expect(listed.status, listed.summary).toBe(200);
      expect(
        listed.body.keys.find((k) => k.keyId === fresh.keyId),
        listed.summary,
      ).toMatchObject({ status: "REVOKED" });
      expect(JSON.stringify(listed.body), listed.summary).not.toContain(fresh.hmacKey);

      // No new account with it: lego and certbot with fresh state are refused.
      const legoAfter = await lego(
        SUITE,
        "revoke-lego-new-account",
        server,
        await scratch.dir("lego"),
        [...legoFlags, ...legoEab(fresh)],
        "run",
      );
      expectAcmeError(legoAfter, "unauthorized");
      expect(legoAfter.output, legoAfter.report).toMatch(/was revoked/);
      const certbotAfter = await certbotCertonly(
        SUITE,
        "revoke-certbot-new-account",
        server,
        await certbotDirs(scratch),
        ["revoke-certbot-2.example.test"],
        ["--register-unsafely-without-email", ...certbotEab(fresh)],
      );
      expectAcmeError(certbotAfter, "unauthorized");
      expect(certbotAfter.output, certbotAfter.report).toMatch(/was revoked/);

      // The accounts bound before keep working. lego renews with the same --path: lego 4.9
      // wants the EAB flags whenever the directory requires EAB, but registers no new account
      // (that would be refused, as just seen): its saved account URL stays the same.
      const accountBefore = legoAccountUrl(legoPath);
      expect(accountBefore, legoFirst.report).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/acme\//);
      const renewed = await lego(
        SUITE,
        "revoke-lego-renew",
        server,
        legoPath,
        [...legoFlags, ...legoEab(fresh)],
        "renew",
        ["--days", "999", "--no-random-sleep"],
      );
      expect(renewed.ok, renewed.report).toBe(true);
      expect(legoAccountUrl(legoPath), renewed.report).toBe(accountBefore);
      const renewedSerial = (await checkLego(legoPath, legoName, renewed)).leaf?.serialNumber;
      expect(renewedSerial, renewed.report).not.toBe(legoSerial);

      // certbot with the same config dir, and no EAB flags at all (a registration would need
      // them): it uses the account it has.
      const name = "revoke-certbot-3.example.test";
      const certbotAgain = await certbotCertonly(
        SUITE,
        "revoke-certbot-same-account",
        server,
        certbotState,
        [name],
        ["--register-unsafely-without-email", "--key-type", "ecdsa"],
      );
      expect(certbotAgain.ok, certbotAgain.report).toBe(true);
      expect(certbotAgain.output, certbotAgain.report).not.toMatch(/Account registered/);
      await checkCertbot(certbotState, name, certbotAgain);
    },
    // Six client runs of 60 s at most each.
    400_000,
  );
});
