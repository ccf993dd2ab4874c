import { describe, expect, it } from "vitest";
import type { DomainValidation, Identifier } from "../domain/types.js";
import { checkCsrIdentifiers } from "./csr-identifiers.js";
import { findCoveringDomain } from "./pre-approved.js";

/** What findCoveringDomain answered before it was a loop: the specification, as written then. */
function reference(identifier: Identifier, domains: readonly DomainValidation[]) {
  const wildcard = identifier.value.startsWith("*.");
  const name = wildcard ? identifier.value.slice(2) : identifier.value;
  return domains.find((d) => {
    if (d.status !== "SUCCESS") return false;
    const exact = name === d.domainName;
    const below = name.endsWith(`.${d.domainName}`);
    if (wildcard) return d.scope.wildcards && (exact || (below && d.scope.subdomains));
    return (exact && d.scope.exactDomain) || (below && d.scope.subdomains);
  });
}

const NAMES = ["example.com", "a.example.com", "b.a.example.com", "xexample.com", "example.co", "com", "m"];

function domain(domainName: string, flags: number, status: string): DomainValidation {
  return {
    id: `${domainName}-${flags}-${status}`,
    endpointId: "ep",
    domainName,
    scope: { exactDomain: (flags & 1) !== 0, subdomains: (flags & 2) !== 0, wildcards: (flags & 4) !== 0 },
    status,
    validationMethod: "MANUAL",
    createdAt: "2026-01-01T00:00:00.000Z",
    version: 1,
  } as DomainValidation;
}

describe("findCoveringDomain", () => {
  it("answers the first covering domain exactly as the reference does", () => {
    const all: DomainValidation[] = [];
    for (const name of NAMES)
      for (let flags = 0; flags < 8; flags++)
        for (const status of ["SUCCESS", "PENDING_VALIDATION"]) all.push(domain(name, flags, status));
    for (const value of [...NAMES, ...NAMES.map((n) => `*.${n}`)]) {
      const identifier: Identifier = { type: "dns", value };
      // Each domain alone, then every window of the list (which one comes first matters).
      for (const d of all)
        expect(findCoveringDomain(identifier, [d]), value).toBe(reference(identifier, [d]));
      for (let i = 0; i < all.length; i += 5) {
        const some = all.slice(i, i + 9);
        expect(findCoveringDomain(identifier, some), value).toBe(reference(identifier, some));
      }
    }
  });
});

describe("checkCsrIdentifiers with one identifier", () => {
  it("answers as it does for the same identifier set given twice (the general way)", () => {
    const names = ["a.example", "A.example", "b.example", "*.a.example"];
    const lists: string[][] = [[]];
    for (const n of names) lists.push([n]);
    for (const n of names) for (const m of names) lists.push([n, m]);
    for (const value of ["a.example", "*.a.example"]) {
      const identifier: Identifier = { type: "dns", value };
      for (const dnsNames of lists) {
        for (const commonNames of lists.slice(0, 6)) {
          const csr = { dnsNames, commonNames, ipAddresses: [], otherSanCount: 0 } as never;
          const one = checkCsrIdentifiers(csr, [identifier]);
          const twice = checkCsrIdentifiers(csr, [identifier, identifier]);
          expect(one, `${dnsNames} / ${commonNames}`).toStrictEqual(twice);
        }
      }
    }
  });
});
