import { describe, expect, it } from "vitest";
import type { JsonWebKeyPublic } from "../domain/types.js";
import { generateTestKey, publicJwk } from "../testing/acme-client.js";
import { KeyCache } from "./key-cache.js";

function jwk(): JsonWebKeyPublic {
  const { kty, crv, x, y } = publicJwk(generateTestKey("P-256").publicKey);
  return { kty, crv, x, y } as JsonWebKeyPublic;
}

describe("KeyCache", () => {
  const [a, b, c] = [jwk(), jwk(), jwk()];
  const hit = (cache: KeyCache, name: string, key: JsonWebKeyPublic, before: unknown) =>
    cache.get(name, key)._unsafeUnwrap() === before;

  it("answers the same imported key on a hit, and sends the least recently used out", () => {
    const cache = new KeyCache(2);
    const keyA = cache.get("a", a)._unsafeUnwrap();
    const keyB = cache.get("b", b)._unsafeUnwrap();
    expect(keyA.alg).toBe("ES256");
    expect(hit(cache, "a", a, keyA)).toBe(true); // a is now the most recent
    cache.get("c", c);
    expect(hit(cache, "a", a, keyA)).toBe(true);
    expect(hit(cache, "b", b, keyB)).toBe(false); // b went out
  });

  it("keeps the order right through repeated hits on the newest key", () => {
    const cache = new KeyCache(2);
    const keyA = cache.get("a", a)._unsafeUnwrap();
    cache.get("a", a);
    const keyB = cache.get("b", b)._unsafeUnwrap();
    cache.get("a", a); // b, inserted after a's hits, was the newest: a must move now
    cache.get("a", a);
    cache.get("c", c); // b is the least recently used
    expect(hit(cache, "a", a, keyA)).toBe(true);
    expect(hit(cache, "b", b, keyB)).toBe(false);
  });

  it("does not keep a JWK it cannot import", () => {
    const cache = new KeyCache(2);
    const bad = { kty: "EC", crv: "P-256", x: "AA", y: "AA" } as JsonWebKeyPublic;
    expect(cache.get("bad", bad).isErr()).toBe(true);
    expect(cache.get("bad", bad).isErr()).toBe(true);
  });
});
