import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_RATE_LIMITS } from "@acme-endpoints/core";
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_FILE, startExampleServer } from "./app.js";
import { parseOptions, type ServerOptions } from "./options.js";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function options(argv: string[]): Promise<ServerOptions> {
  const dataDir = await mkdtemp(join(tmpdir(), "acme-example-"));
  dirs.push(dataDir);
  const parsed = parseOptions(["--port", "0", "--data-dir", dataDir, ...argv], {});
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.options;
}

async function startStop(settings: ServerOptions) {
  const running = await startExampleServer(settings);
  const described = (await running.server.endpoints.describe(running.endpointId))._unsafeUnwrap();
  await running.close();
  return { running, described };
}

describe("the example server across restarts", () => {
  it("finds its default endpoint again in the SQLite file, under this run's policy flags", async () => {
    const settings = await options(["--domain", "example.test"]);
    const first = await startStop(settings);
    expect(first.running.databaseFile).toBe(join(settings.dataDir, DATABASE_FILE));
    expect(existsSync(join(settings.dataDir, DATABASE_FILE))).toBe(true);
    expect(first.described.contact).toBe("NOT_REQUIRED");

    const second = await startStop({ ...settings, contact: "REQUIRED", keyAlgorithms: ["EC_prime256v1"] });
    expect(second.running.endpointId).toBe(first.running.endpointId);
    expect(second.described.contact).toBe("REQUIRED");
    expect(second.described.certificateAuthority.allowedKeyAlgorithms).toEqual(["EC_prime256v1"]);
  });

  it("starts afresh each time with --storage memory, writing no database", async () => {
    const settings = await options(["--storage", "memory"]);
    const first = await startStop(settings);
    const second = await startStop(settings);
    expect(second.running.endpointId).not.toBe(first.running.endpointId);
    expect(first.running.databaseFile).toBeUndefined();
    expect(existsSync(join(settings.dataDir, DATABASE_FILE))).toBe(false);
  });
});

describe("the example server's admin API and external account binding", () => {
  it("keeps a generated admin token across restarts, and uses a given one", async () => {
    const settings = await options([]);
    const first = await startStop(settings);
    expect(first.running.adminToken.length).toBeGreaterThanOrEqual(16);
    expect(first.running.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/admin$/);
    const second = await startStop(settings);
    expect(second.running.adminToken).toBe(first.running.adminToken);
    const given = await startStop({ ...settings, adminToken: "a-token-of-my-own-choosing" });
    expect(given.running.adminToken).toBe("a-token-of-my-own-choosing");
  });

  it("with --require-eab --eab, requires a binding and hands out a working credential", async () => {
    const settings = await options(["--require-eab", "--eab"]);
    const running = await startExampleServer(settings);
    try {
      const endpoint = (await running.server.endpoints.describe(running.endpointId))._unsafeUnwrap();
      expect(endpoint.externalAccountBinding).toBe("REQUIRED");
      expect(running.eab?.hmacKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const keys = (await running.server.eab.list({ endpointId: running.endpointId }))._unsafeUnwrap();
      expect(keys.map((k) => k.keyId)).toEqual([running.eab?.keyId]);
    } finally {
      await running.close();
    }
    const again = await startStop({ ...settings, requireEab: false, eab: false });
    expect(again.described.externalAccountBinding).toBe("NOT_REQUIRED");
    expect(again.running.eab).toBeUndefined();
  });

  it("turns the documented rate limits on with --rate-limits, and off again without it", async () => {
    const settings = await options([]);
    const off = await startStop(settings);
    expect(off.described.rateLimits).toBeUndefined();
    const on = await startStop({ ...settings, rateLimits: true });
    expect(on.described.rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    const again = await startStop(settings);
    expect(again.described.id).toBe(on.described.id);
    expect(again.described.rateLimits).toEqual({});
  });
});
