import { type createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { publicJwk } from "../testing/acme-client.js";
import { spkiDerOf } from "./spki.js";
import { importSpki } from "./spki-import.js";

const exportSpki = (key: ReturnType<typeof createPublicKey>) =>
  new Uint8Array(key.export({ type: "spki", format: "der" }));

describe("importSpki", () => {
  const kinds = [
    () => generateKeyPairSync("ec", { namedCurve: "P-256" }),
    () => generateKeyPairSync("ec", { namedCurve: "P-384" }),
    () => generateKeyPairSync("ec", { namedCurve: "P-521" }),
    () => generateKeyPairSync("ed25519"),
    () => generateKeyPairSync("ed448"),
    () => generateKeyPairSync("rsa", { modulusLength: 2048 }),
    () => generateKeyPairSync("rsa", { modulusLength: 1024, publicExponent: 3 }),
    () => generateKeyPairSync("rsa", { modulusLength: 1025 }),
    () => generateKeyPairSync("ec", { namedCurve: "secp256k1" }),
    () => generateKeyPairSync("x25519"),
  ];

  it("imports keys and answers exactly the DER node:crypto exports for them", async () => {
    for (const make of kinds) {
      for (let i = 0; i < 3; i++) {
        const original = make().publicKey;
        const der = exportSpki(original);
        const { publicKey, spkiDer, description } = await importSpki(der);
        expect(publicKey.equals(original)).toBe(true);
        // What is known without asking node:crypto is what it would have said.
        expect(description.asymmetricKeyType).toBe(publicKey.asymmetricKeyType);
        expect(publicKey.asymmetricKeyDetails).toMatchObject(description.asymmetricKeyDetails ?? {});
        expect(spkiDer).toEqual(der);
        expect(exportSpki(publicKey)).toEqual(der);
        expect(spkiDerOf(publicKey)).toEqual(der);
      }
    }
  });

  it("imports an EC key with a compressed point the general way", async () => {
    const original = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    const jwk = publicJwk(original);
    const y = Buffer.from(jwk.y as string, "base64url");
    const compressed = Buffer.concat([
      Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex"),
      Uint8Array.of(2 + (y[31]! & 1)),
      Buffer.from(jwk.x as string, "base64url"),
    ]);
    const { publicKey, spkiDer } = await importSpki(compressed);
    expect(publicKey.equals(original)).toBe(true);
    expect(spkiDer).toEqual(exportSpki(publicKey));
  });

  it("rejects bytes that are no key (callers wrap it)", async () => {
    await expect(importSpki(Uint8Array.of(0x30, 0x00))).rejects.toThrow();
  });

  it("refuses EC points off the curve or out of range on every P-curve", async () => {
    for (const [namedCurve, size] of [
      ["P-256", 32],
      ["P-384", 48],
      ["P-521", 66],
    ] as const) {
      const der = exportSpki(generateKeyPairSync("ec", { namedCurve }).publicKey);
      const offCurve = Uint8Array.from(der);
      offCurve[offCurve.length - 1]! ^= 0x01;
      await expect(importSpki(offCurve)).rejects.toThrow();
      // Both coordinates all ones, past the field prime (the point's 04 marker kept).
      const outOfRange = Uint8Array.from(der).fill(0xff, der.length - 2 * size);
      await expect(importSpki(outOfRange)).rejects.toThrow();
    }
  });
});
