import type { CertificateRecord } from "@acme-endpoints/core";
import { makeCertificate, makeEndpoint } from "@acme-endpoints/core/testing";
import { err } from "neverthrow";
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "./index.js";

const identifiers = [{ type: "dns" as const, value: "renewed.example" }];

function issue(endpointId: string): CertificateRecord {
  return makeCertificate({ endpointId, accountId: "a", id: crypto.randomUUID(), identifiers });
}

describe("renewal marking (memory)", () => {
  // The serials of one identifier set are kept as one string, then as an array: each change of
  // form (a second certificate, a rolled back third) must leave every serial findable.
  it("finds the latest certificate again after a rolled back renewal", async () => {
    const storage = createMemoryStorage();
    const endpoint = (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
    const first = (await storage.certificates.insert(issue(endpoint.id)))._unsafeUnwrap();
    const second = (await storage.certificates.insert(issue(endpoint.id)))._unsafeUnwrap();
    await storage.transaction((tx) => tx.certificates.insert(issue(endpoint.id)).andThen(() => err("no")));
    const fourth = (await storage.certificates.insert(issue(endpoint.id)))._unsafeUnwrap();
    const renewedBy = async (serial: string) =>
      (await storage.certificates.get(endpoint.id, serial))._unsafeUnwrap()?.renewedBy;
    expect(await renewedBy(first.serial)).toBe(second.serial);
    expect(await renewedBy(second.serial)).toBe(fourth.serial);
    const fifth = (await storage.certificates.insert(issue(endpoint.id)))._unsafeUnwrap();
    expect(await renewedBy(fourth.serial)).toBe(fifth.serial);
  });
});
