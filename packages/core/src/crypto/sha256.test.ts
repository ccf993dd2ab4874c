import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "./sha256.js";

describe("sha256", () => {
  it("answers node:crypto's digest octets and base64url for any input", () => {
    // Digests with octets 0x80-0xff too: the latin1 round trip must keep every octet.
    for (const size of [0, 1, 20, 32, 65, 91, 294, 1000]) {
      for (let i = 0; i < 50; i++) {
        const data = new Uint8Array(randomBytes(size));
        const expected = createHash("sha256").update(data).digest();
        const digest = sha256(data);
        expect(digest.byteLength).toBe(32);
        expect(Buffer.compare(digest, expected)).toBe(0);
        expect(sha256(data, "base64url")).toBe(expected.toString("base64url"));
      }
    }
  });
});
