import { describe, expect, it } from "vitest";
import { parseOptions } from "./options.js";

const parsed = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const result = parseOptions(argv, env);
  if (!result.ok) throw new Error(result.message);
  return result.options;
};

describe("example server flags: storage", () => {
  it("keeps data in SQLite unless told otherwise", () => {
    expect(parsed([]).storage).toBe("sqlite");
    expect(parsed(["--storage", "memory"]).storage).toBe("memory");
    expect(parsed([], { ACME_STORAGE: "memory" }).storage).toBe("memory");
    expect(parsed(["--storage", "sqlite"], { ACME_STORAGE: "memory" }).storage).toBe("sqlite");
  });

  it("refuses an unknown storage, naming the choices", () => {
    expect(parseOptions(["--storage", "postgres"], {})).toEqual({
      ok: false,
      message: "--storage must be sqlite or memory, not postgres",
    });
  });

  it("leaves the processing timeout to the core unless given, and takes whole positive ms", () => {
    expect(parsed([]).processingTimeoutMs).toBeUndefined();
    expect(parsed(["--processing-timeout-ms", "1500"]).processingTimeoutMs).toBe(1500);
    expect(parsed([], { ACME_PROCESSING_TIMEOUT_MS: "2000" }).processingTimeoutMs).toBe(2000);
    for (const bad of ["0", "-1", "1.5", "soon"]) {
      const result = parseOptions(["--processing-timeout-ms", bad], {});
      expect(result.ok, bad).toBe(false);
    }
  });
});

describe("admin and EAB flags", () => {
  it("takes --admin-token of 16+ characters, --eab and --require-eab, and their env twins", () => {
    const short = parseOptions(["--admin-token", "short"], {});
    expect(short).toMatchObject({ ok: false, message: expect.stringMatching(/at least 16/) });
    const flags = parseOptions(["--admin-token", "0123456789abcdef", "--eab", "--require-eab"], {});
    expect(flags).toMatchObject({
      ok: true,
      options: { adminToken: "0123456789abcdef", eab: true, requireEab: true },
    });
    const env = parseOptions([], { ACME_EAB: "1", ACME_REQUIRE_EAB: "1" });
    expect(env).toMatchObject({ ok: true, options: { eab: true, requireEab: true } });
    const none = parseOptions([], {});
    expect(none).toMatchObject({ ok: true, options: { eab: false, requireEab: false } });
    expect(none.ok && none.options.adminToken).toBeUndefined();
  });
});

describe("rate limit flag", () => {
  it("is off by default; --rate-limits or ACME_RATE_LIMITS=1 turns it on", () => {
    expect(parsed([]).rateLimits).toBe(false);
    expect(parsed(["--rate-limits"]).rateLimits).toBe(true);
    expect(parsed([], { ACME_RATE_LIMITS: "1" }).rateLimits).toBe(true);
    expect(parsed([], { ACME_RATE_LIMITS: "0" }).rateLimits).toBe(false);
  });
});
