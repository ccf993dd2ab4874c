import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type AcmeResponse, TestAcmeClient } from "@acme-endpoints/core/testing";
import { createSqliteStorage } from "@acme-endpoints/storage-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AdminAnswer, AdminClient } from "./support/admin-api.js";
import { checkIssuedChain } from "./support/certificates.js";
import { certbotCertonly, certbotDirs, certbotLive, lego, Scratch } from "./support/clients.js";
import { HttpsTransport } from "./support/https-transport.js";
import { type ExampleServer, startExampleServer } from "./support/server.js";
import { certbotTool, legoTool, requireTool } from "./support/tools.js";

// The example server's admin API (managementRouter at /admin, bearer token from --admin-token)
// over HTTPS, trusting the example's TLS root: authentication on every route, then an endpoint's
// whole life through it (create, add and approve a domain, issue with a real client, delete),
// and the isolation of endpoints from one another (accounts, domains).
//
// The tests of the second describe run in order and share state: each needs the one before.

const SUITE = "admin-api";
const certbotT = certbotTool();
const legoT = legoTool();
const scratch = new Scratch();
const EMAIL = "test@example.test";
const TOKEN = randomBytes(24).toString("base64url");
/** The new endpoint's pre-approved domain (the default endpoint has example.test). */
const TENANT_DOMAIN = "tenant.test";

afterAll(() => scratch.cleanup());

type Json = Record<string, unknown>;

const problemType = (response: AcmeResponse) => (response.body as { type?: unknown } | undefined)?.type;
const show = (response: AcmeResponse) => `${response.status} ${JSON.stringify(response.body)}`;

/** A stored certificate serial: lower-case hex without leading zeros. */
const storedSerial = (hex: string) => hex.toLowerCase().replace(/^0+(?=.)/, "");

describe("admin API over HTTPS (--admin-token)", () => {
  let server: ExampleServer;
  let admin: AdminClient;
  let transport: HttpsTransport;
  let rootPem: string;

  beforeAll(async () => {
    server = await startExampleServer({ domains: ["example.test"], args: ["--admin-token", TOKEN] });
    if (server.adminUrl === undefined) throw new Error("the ready line has no adminUrl");
    rootPem = readFileSync(server.tlsCaFile, "utf8");
    admin = new AdminClient(server.adminUrl, TOKEN, rootPem);
    transport = new HttpsTransport(rootPem);
  }, 45_000);
  afterAll(async () => {
    admin?.close();
    transport?.close();
    await server?.stop();
  }, 30_000);

  it("the ready line has the admin URL (HTTPS, loopback, /admin) and the token given", () => {
    expect(server.adminToken).toBe(TOKEN);
    expect(server.adminUrl).toBe(`${new URL(server.directoryUrl).origin}/admin`);
    expect(server.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/admin$/);
  });

  describe("authentication", () => {
    const id = () => server.endpointId;
    const routes: [method: string, path: () => string, body?: Json][] = [
      ["GET", () => "/endpoints"],
      ["POST", () => "/endpoints", { name: "intruder", contact: "NOT_REQUIRED" }],
      ["GET", () => `/endpoints/${id()}`],
      ["PATCH", () => `/endpoints/${id()}`, { contact: "REQUIRED" }],
      ["DELETE", () => `/endpoints/${id()}`],
      ["GET", () => `/endpoints/${id()}/tags`],
      ["POST", () => `/endpoints/${id()}/tags`, { tags: [{ key: "k", value: "v" }] }],
      ["DELETE", () => `/endpoints/${id()}/tags?keys=Name`],
      ["GET", () => `/endpoints/${id()}/domains`],
      ["POST", () => `/endpoints/${id()}/domains`, { domainName: "intruder.test" }],
      ["POST", () => `/endpoints/${id()}/domains/validate`],
      ["POST", () => `/endpoints/${id()}/domains/revalidate`],
      ["GET", () => `/endpoints/${id()}/domains/no-such-domain`],
      ["POST", () => `/endpoints/${id()}/domains/no-such-domain/approve`],
      ["DELETE", () => `/endpoints/${id()}/domains/no-such-domain`],
      ["POST", () => `/endpoints/${id()}/eab`, {}],
      ["GET", () => `/endpoints/${id()}/eab`],
      ["DELETE", () => `/endpoints/${id()}/eab/no-such-key`],
      ["GET", () => "/endpoints/no-such-endpoint"],
      ["GET", () => "/no-such-route"],
    ];
    const credentials: [label: string, authorization: string | null, invalidToken: boolean][] = [
      ["no Authorization header", null, false],
      ["a wrong bearer token", `Bearer ${randomBytes(24).toString("base64url")}`, true],
      ["the token with one character more", `Bearer ${TOKEN}x`, true],
      ["the token under another scheme", `Basic ${TOKEN}`, true],
      ["an empty bearer token", "Bearer ", true],
    ];

    for (const [label, authorization, invalidToken] of credentials) {
      it(`${label}: 401 on every route, and nothing changes`, async () => {
        for (const [method, path, body] of routes) {
          const answer = await admin.request(method, path(), {
            authorization,
            ...(body === undefined ? {} : { body }),
          });
          expect(answer.status, answer.summary).toBe(401);
          expect(answer.body, answer.summary).toMatchObject({ error: "Unauthorized" });
          const challenge = answer.headers.get("www-authenticate") ?? "";
          expect(challenge, answer.summary).toMatch(/^Bearer /);
          if (invalidToken) expect(challenge, answer.summary).toContain('error="invalid_token"');
        }
        // With the token: still only the default endpoint, ACTIVE, untouched.
        const listed = await admin.get<{ endpoints: Json[] }>("/endpoints");
        expect(listed.status, listed.summary).toBe(200);
        expect(
          listed.body.endpoints.map((e) => e.id),
          listed.summary,
        ).toEqual([server.endpointId]);
        const endpoint = await admin.get(`/endpoints/${server.endpointId}`);
        expect(endpoint.body, endpoint.summary).toMatchObject({ status: "ACTIVE", contact: "NOT_REQUIRED" });
        const tags = await admin.get<{ tags: Json[] }>(`/endpoints/${server.endpointId}/tags`);
        expect(tags.body.tags, tags.summary).toEqual([{ key: "Name", value: "default" }]);
        const domains = await admin.get<{ domains: Json[] }>(`/endpoints/${server.endpointId}/domains`);
        expect(
          domains.body.domains.map((d) => d.domainName),
          domains.summary,
        ).toEqual(["example.test"]);
        const keys = await admin.get<{ keys: Json[] }>(`/endpoints/${server.endpointId}/eab`);
        expect(keys.body.keys, keys.summary).toEqual([]);
      }, 30_000);
    }

    it("with the token, an unknown route is a 404 (authentication comes first, then routing)", async () => {
      const answer = await admin.get("/no-such-route");
      expect(answer.status, answer.summary).toBe(404);
      expect(answer.body, answer.summary).toMatchObject({ error: "NotFound" });
    });
  });

  describe("an endpoint's life through the admin API", () => {
    let endpoint: { id: string; endpointUrl: string };
    /** The new endpoint, as the client helpers take a server. */
    let tenant: ExampleServer;
    let issued: { chainPem: string; serial: string; name: string } | undefined;
    /** A TestAcmeClient account at the new endpoint. */
    let tenantClient: TestAcmeClient | undefined;

    const acmeClient = (directoryUrl: string) =>
      TestAcmeClient.create({ fetch: transport.fetch, directoryUrl });
    const register = async (client: TestAcmeClient) => {
      const registered = await client.register({ termsOfServiceAgreed: true, contact: [`mailto:${EMAIL}`] });
      expect(registered.status, show(registered)).toBe(201);
      return registered;
    };
    const need = <T>(value: T | undefined, what: string): T => {
      if (value === undefined) throw new Error(`needs ${what} from the test above`);
      return value;
    };

    it("POST /endpoints creates an ACTIVE endpoint with its name and contact policy", async () => {
      const created = await admin.post<Json>("/endpoints", { name: "tenant-a", contact: "REQUIRED" });
      expect(created.status, created.summary).toBe(201);
      const id = String(created.body.id);
      expect(created.headers.get("location"), created.summary).toBe(`/admin/endpoints/${id}`);
      expect(created.body, created.summary).toMatchObject({ contact: "REQUIRED" });
      expect(created.body.endpointUrl, created.summary).toBe(
        `${new URL(server.directoryUrl).origin}/acme/${id}/directory`,
      );

      // CREATING while its CA is provisioned, then ACTIVE: wait (bounded).
      let described: AdminAnswer<Json> = created;
      for (let i = 0; described.body.status === "CREATING" && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        described = await admin.get<Json>(`/endpoints/${id}`);
      }
      expect(described.body, described.summary).toMatchObject({
        id,
        status: "ACTIVE",
        contact: "REQUIRED",
        tags: [{ key: "Name", value: "tenant-a" }],
      });
      endpoint = { id, endpointUrl: String(created.body.endpointUrl) };
      tenant = { ...server, directoryUrl: endpoint.endpointUrl, endpointId: id };

      const listed = await admin.get<{ endpoints: Json[] }>("/endpoints");
      expect(listed.body.endpoints.map((e) => e.id).sort(), listed.summary).toEqual(
        [server.endpointId, id].sort(),
      );
    });

    it("a domain added through POST …/domains authorizes orders only once approved", async () => {
      const { id } = need(endpoint, "the endpoint");
      const created = await admin.post<Json>(`/endpoints/${id}/domains`, {
        domainName: TENANT_DOMAIN,
        scope: { exactDomain: true, subdomains: true, wildcards: false },
      });
      expect(created.status, created.summary).toBe(201);
      expect(created.body, created.summary).toMatchObject({
        endpointId: id,
        domainName: TENANT_DOMAIN,
        status: "PENDING_VALIDATION",
      });
      const domainId = String(created.body.id);
      expect(created.headers.get("location"), created.summary).toBe(
        `/admin/endpoints/${id}/domains/${domainId}`,
      );

      // Pending: not yet a pre-approved name.
      tenantClient = await acmeClient(endpoint.endpointUrl);
      await register(tenantClient);
      const early = await tenantClient.newOrder([`www.${TENANT_DOMAIN}`]);
      expect(problemType(early), show(early)).toBe("urn:ietf:params:acme:error:rejectedIdentifier");

      const approved = await admin.post<Json>(`/endpoints/${id}/domains/${domainId}/approve`);
      expect(approved.status, approved.summary).toBe(200);
      expect(approved.body, approved.summary).toMatchObject({
        id: domainId,
        status: "SUCCESS",
        validationMethod: "MANUAL",
      });
      const described = await admin.get<Json>(`/endpoints/${id}/domains/${domainId}`);
      expect(described.body, described.summary).toMatchObject({ status: "SUCCESS" });

      const order = await tenantClient.newOrder([`www.${TENANT_DOMAIN}`]);
      expect(order.status, show(order)).toBe(201);
      expect(order.body, show(order)).toMatchObject({ status: "ready" });
    });

    it.skipIf(certbotT.skip)(
      "certbot obtains a certificate from the new endpoint's directory",
      async () => {
        requireTool(certbotT);
        need(endpoint, "the endpoint");
        const dirs = await certbotDirs(scratch);
        const name = `www.${TENANT_DOMAIN}`;
        const got = await certbotCertonly(
          SUITE,
          "tenant-certbot",
          tenant,
          dirs,
          [name],
          ["--email", EMAIL, "--no-eff-email", "--key-type", "ecdsa"],
        );
        expect(got.ok, got.report).toBe(true);
        const live = certbotLive(dirs, name);
        const chainPem = readFileSync(live.fullchain, "utf8");
        const check = await checkIssuedChain({
          chainPem,
          rootPem,
          names: [name],
          key: { kind: "EC", curve: "prime256v1" },
          privateKeyPem: readFileSync(live.privkey, "utf8"),
        });
        expect(check.problems, `${check.summary}\n\n${got.report}`).toEqual([]);
        issued = { chainPem, serial: storedSerial(check.leaf!.serialNumber), name };
      },
      90_000,
    );

    it("isolation: an account URL of one endpoint is no account at the other (accountDoesNotExist)", async () => {
      const { endpointUrl } = need(endpoint, "the endpoint");
      const atTenant = need(tenantClient, "the tenant account");
      // An account at the default endpoint.
      const atDefault = await acmeClient(server.directoryUrl);
      const registered = await register(atDefault);
      const defaultAccountUrl = String(registered.location);
      expect(defaultAccountUrl).toContain(`/acme/${server.endpointId}/`);

      // Its key and account URL, used at the new endpoint.
      const intruder = await TestAcmeClient.create({
        fetch: transport.fetch,
        directoryUrl: endpointUrl,
        accountKey: atDefault.accountKey,
      });
      intruder.accountUrl = defaultAccountUrl;
      const order = await intruder.newOrder([`www.${TENANT_DOMAIN}`]);
      expect(problemType(order), show(order)).toBe("urn:ietf:params:acme:error:accountDoesNotExist");
      // The other way round: the new endpoint's account at the default endpoint.
      const reverse = await TestAcmeClient.create({
        fetch: transport.fetch,
        directoryUrl: server.directoryUrl,
        accountKey: atTenant.accountKey,
      });
      reverse.accountUrl = atTenant.accountUrl;
      const reverseOrder = await reverse.newOrder(["www.example.test"]);
      expect(problemType(reverseOrder), show(reverseOrder)).toBe(
        "urn:ietf:params:acme:error:accountDoesNotExist",
      );

      // The default endpoint's key is unknown at the new endpoint: onlyReturnExisting finds
      // nothing, and newAccount makes a new account there, with a URL of the new endpoint.
      const lookup = await intruder.send(
        intruder.directory.newAccount,
        { onlyReturnExisting: true },
        { useJwk: true },
      );
      expect(problemType(lookup), show(lookup)).toBe("urn:ietf:params:acme:error:accountDoesNotExist");
      intruder.accountUrl = undefined;
      const anew = await register(intruder);
      expect(String(anew.location)).toContain(`/acme/${endpoint.id}/`);
      expect(anew.location).not.toBe(defaultAccountUrl);

      // Domains are the endpoint's own too.
      const foreign = await atTenant.newOrder(["www.example.test"]);
      expect(problemType(foreign), show(foreign)).toBe("urn:ietf:params:acme:error:rejectedIdentifier");
      const foreignBack = await atDefault.newOrder([`www.${TENANT_DOMAIN}`]);
      expect(problemType(foreignBack), show(foreignBack)).toBe(
        "urn:ietf:params:acme:error:rejectedIdentifier",
      );
    });

    it.skipIf(legoT.skip)(
      "isolation: lego with the default endpoint's account (same --path) does not reuse it at the new endpoint",
      async () => {
        requireTool(legoT);
        need(endpoint, "the endpoint");
        const path = await scratch.dir("lego");
        const flags = ["--email", EMAIL];
        const first = await lego(
          SUITE,
          "lego-default",
          server,
          path,
          [...flags, "--domains", "lego.example.test"],
          "run",
        );
        expect(first.ok, first.report).toBe(true);

        const got = await lego(
          SUITE,
          "lego-tenant-same-path",
          tenant,
          path,
          [...flags, "--domains", `lego.${TENANT_DOMAIN}`],
          "run",
        );
        expect(got.result.timedOut, got.report).toBe(false);
        // Both endpoints are on one host:port, so lego 4.9 finds the account it saved for the
        // default endpoint and uses its URL as `kid`: the new endpoint must refuse it. Had lego
        // registered anew, the certificate would come from an account of the new endpoint.
        if (got.ok) {
          expect(got.output, got.report).toMatch(/Registering account/);
        } else {
          expect(got.output, got.report).toContain("urn:ietf:params:acme:error:accountDoesNotExist");
        }
      },
      120_000,
    );

    it("DELETE /endpoints/:id: then its directory is a 404 problem document and GET is 404", async () => {
      const { id, endpointUrl } = need(endpoint, "the endpoint");
      const deleted = await admin.delete(`/endpoints/${id}`);
      expect(deleted.status, deleted.summary).toBe(204);

      const described = await admin.get(`/endpoints/${id}`);
      expect(described.status, described.summary).toBe(404);
      expect(described.body, described.summary).toMatchObject({ error: "NotFound" });
      const domains = await admin.get(`/endpoints/${id}/domains`);
      expect(domains.status, domains.summary).toBe(404);
      const listed = await admin.get<{ endpoints: Json[] }>("/endpoints");
      expect(
        listed.body.endpoints.map((e) => e.id),
        listed.summary,
      ).toEqual([server.endpointId]);
      const again = await admin.delete(`/endpoints/${id}`);
      expect(again.status, again.summary).toBe(404);

      const directory = await transport.fetch(new Request(endpointUrl));
      const text = await directory.text();
      expect(directory.status, text).toBe(404);
      expect(directory.headers.get("content-type"), text).toContain("application/problem+json");
      const problem = JSON.parse(text) as Json;
      expect(problem.type, text).toMatch(/^urn:ietf:params:acme:error:/);
      expect(problem.status, text).toBe(404);

      // Its accounts are gone with it: a request of one is a 404 problem too.
      const client = need(tenantClient, "the tenant account");
      const order = await client.newOrder([`www.${TENANT_DOMAIN}`]);
      expect(order.status, show(order)).toBe(404);
      expect(String(problemType(order)), show(order)).toMatch(/^urn:ietf:params:acme:error:/);

      // The default endpoint is untouched.
      const still = await acmeClient(server.directoryUrl);
      const stillIssued = await still.issue(["still.example.test"]);
      expect(stillIssued.order.status).toBe("valid");
    });

    it.skipIf(certbotT.skip)(
      "the certificate issued before the deletion still verifies and is still stored",
      async () => {
        requireTool(certbotT);
        const { chainPem, serial, name } = need(issued, "the certbot certificate");
        const check = await checkIssuedChain({
          chainPem,
          rootPem,
          names: [name],
          key: { kind: "EC", curve: "prime256v1" },
        });
        expect(check.problems, check.summary).toEqual([]);

        // Also straight from the server's database (read-only, a second process on the same
        // SQLite file is supported) through the storage port.
        const opened = createSqliteStorage({ filename: join(server.dataDir, "acme.sqlite"), readonly: true });
        if (opened.isErr()) throw new Error(opened.error.message);
        const database = opened.value;
        try {
          const record = (await database.certificates.get(endpoint.id, serial))._unsafeUnwrap();
          expect(record, `serial ${serial} of deleted endpoint ${endpoint.id}`).toBeDefined();
          expect(record?.identifiers).toEqual([{ type: "dns", value: name }]);
          expect(record?.status).toBe("valid");
        } finally {
          await database.close();
        }
      },
      30_000,
    );

    it.skipIf(certbotT.skip)(
      "the certificate is still listed by the certificates inventory over the admin API",
      async () => {
        requireTool(certbotT);
        const { serial, name } = need(issued, "the certbot certificate");
        const listed = await admin.get<{ certificates: Json[] }>(
          `/certificates?endpointId=${encodeURIComponent(endpoint.id)}`,
        );
        expect(listed.status, JSON.stringify(listed.body)).toBe(200);
        expect(listed.body.certificates).toEqual([
          expect.objectContaining({
            serial,
            endpointId: endpoint.id,
            endpointDeleted: true,
            identifiers: [{ type: "dns", value: name }],
          }),
        ]);
        const described = await admin.get<Json>(`/certificates/${serial}`);
        expect(described.status).toBe(200);
        expect(described.body).toMatchObject({ serial, endpointDeleted: true });
      },
      30_000,
    );
  });
});
