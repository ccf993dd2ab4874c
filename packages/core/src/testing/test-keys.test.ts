import { spawn } from "node:child_process";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generateTestKey, publicJwk, type TestKeyType } from "./acme-client.js";

const client = fileURLToPath(new URL("./acme-client.ts", import.meta.url));
/** The workspace root, where `--import tsx` finds tsx (a root devDependency). */
const root = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * Node 20 can deadlock exporting a generateKeyPairSync key as a JWK, when a garbage collection
 * in the export finalizes the key's generation job (see generateTestKey). A one-megabyte young
 * generation makes collections frequent enough that the old way (generateKeyPairSync, then
 * `publicJwk` or `export({ format: "jwk" })`) hung within a few thousand keys in most runs here.
 */
const script = `
import { generateKeyPairSync } from "node:crypto";
import { generateTestKey, publicJwk } from ${JSON.stringify(client)};
const types = ["P-256", "Ed25519", "P-384"];
const [keys, mode] = [Number(process.argv[1]), process.argv[2]];
for (let i = 0; i < keys; i++) {
  if (mode === "generateTestKey") {
    const { privateKey, publicKey } = generateTestKey(types[i % types.length]);
    publicJwk(privateKey);
    publicKey.export({ format: "jwk" });
    privateKey.export({ format: "jwk" });
  } else {
    publicJwk(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
  }
}
process.stdout.write("done");
`;

function run(keys: number, mode: string, limitMs: number): Promise<{ out: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--max-semi-space-size=1", "--import", "tsx", "--input-type=module", "-e", script, String(keys), mode],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.once("error", reject);
    child.once("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve({ out, timedOut: signal === "SIGKILL" });
    });
  });
}

describe("test keys under frequent garbage collection", () => {
  it("generateTestKey answers keys that export as JWKs without deadlocking", async () => {
    const { out, timedOut } = await run(2000, "generateTestKey", 30_000);
    expect(timedOut).toBe(false);
    expect(out).toBe("done");
  }, 40_000);

  it("publicJwk exports a key straight from generateKeyPairSync without deadlocking", async () => {
    const { out, timedOut } = await run(2000, "publicJwk", 30_000);
    expect(timedOut).toBe(false);
    expect(out).toBe("done");
  }, 40_000);
});

describe("publicJwk", () => {
  const types: TestKeyType[] = ["P-256", "P-384", "P-521", "Ed25519", "RSA-2048"];

  it("answers a test key's public JWK, for its private and its public half", () => {
    for (const type of types) {
      const { privateKey, publicKey } = generateTestKey(type);
      const exported = publicKey.export({ format: "jwk" });
      expect(exported.d).toBeUndefined();
      expect(publicJwk(privateKey)).toEqual(exported);
      expect(publicJwk(publicKey)).toEqual(exported);
    }
  });

  it("answers a copy: changing it changes no later answer", () => {
    const { privateKey } = generateTestKey("P-256");
    const first = publicJwk(privateKey);
    first.x = "changed";
    expect(publicJwk(privateKey).x).not.toBe("changed");
  });

  it("answers the JWK of a key it has not generated, private or public", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    for (const key of [privateKey, publicKey]) {
      const jwk = publicJwk(key);
      expect(jwk.d).toBeUndefined();
      expect(createPublicKey({ key: jwk, format: "jwk" }).equals(publicKey)).toBe(true);
    }
  });
});
