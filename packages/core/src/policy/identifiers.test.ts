import { describe, expect, it } from "vitest";
import { dnsNameProblem, dnsNameProblemOf, isPlainDnsName } from "./identifiers.js";

/** Names near every rule's edge, and random ones from characters the rules care about. */
function names(): string[] {
  const label63 = "a".repeat(63);
  const fixed = [
    "",
    "com",
    "example.com",
    "*.example.com",
    "*.com",
    "*.",
    "*",
    "a.*.example.com",
    "*.*.example.com",
    "example.com.",
    ".example.com",
    "a..example.com",
    "-a.example.com",
    "a-.example.com",
    "a-b.example.com",
    "xn--bcher-kva.example",
    "Example.com",
    "bücher.example",
    "1.2.3.4",
    "1.2.3.4.5",
    "a.123",
    "a.12a",
    "123.a",
    "::1",
    "fe80::1",
    "a:b.example",
    `${label63}.example`,
    `${label63}a.example`,
    `${`${label63}.`.repeat(3)}${"a".repeat(61)}`,
    `${`${label63}.`.repeat(3)}${"a".repeat(62)}`,
    `*.${`${label63}.`.repeat(3)}${"a".repeat(59)}`,
  ];
  const alphabet = "ab09-.*:AZé_ ";
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let n = 0; n < 20_000; n++) {
    let name = random() < 0.2 ? "*." : "";
    const length = Math.floor(random() * 14);
    for (let i = 0; i < length; i++) name += alphabet[Math.floor(random() * alphabet.length)];
    fixed.push(name);
  }
  return fixed;
}

describe("dnsNameProblem", () => {
  it("answers as the rule-by-rule check does, for every name", () => {
    for (const name of names()) {
      expect(dnsNameProblem(name), name).toBe(dnsNameProblemOf(name));
      // The one-pass check never lets through a name the rules refuse.
      if (isPlainDnsName(name)) expect(dnsNameProblemOf(name), name).toBeUndefined();
    }
  });

  it("takes the one-pass way for usual names", () => {
    for (const name of [
      "example.com",
      "*.example.com",
      "a-b.c0.example",
      "xn--bcher-kva.example",
      "f1.bench.test",
    ]) {
      expect(isPlainDnsName(name), name).toBe(true);
    }
  });
});
