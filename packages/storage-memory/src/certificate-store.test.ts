import { makeCertificate, makeEndpoint, makeOrder } from "@acme-endpoints/core/testing";
import { describe, expect, it } from "vitest";
import { createMemoryStorage } from "./index.js";

describe("certificates.insert (memory)", () => {
  // The insert keeps its order's identifiers and its endpoint's tags as they are (storage-made,
  // frozen): anything else the caller passes must still be copied.
  it("copies identifiers and tags that are the caller's, keeps those that are the storage's", async () => {
    const storage = createMemoryStorage();
    const endpoint = (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
    const order = (
      await storage.orders.insert(makeOrder({ endpointId: endpoint.id, id: "a" }))
    )._unsafeUnwrap();
    const own = makeCertificate(order);
    const identifiers = [{ type: "dns" as const, value: "own.example" }];
    const tags = [{ key: "k", value: "v" }];
    const stored = (await storage.certificates.insert({ ...own, identifiers, tags }))._unsafeUnwrap();
    identifiers[0]!.value = "changed.example";
    tags.push({ key: "more", value: "v" });
    expect(stored.identifiers).toEqual([{ type: "dns", value: "own.example" }]);
    expect(stored.tags).toEqual([{ key: "k", value: "v" }]);
    expect(Object.isFrozen(stored.identifiers[0])).toBe(true);

    const order2 = (
      await storage.orders.insert(makeOrder({ endpointId: endpoint.id, id: "a" }))
    )._unsafeUnwrap();
    const passedOn = (
      await storage.certificates.insert({
        ...makeCertificate(order2),
        identifiers: order2.identifiers,
        tags: endpoint.certificateTags,
      })
    )._unsafeUnwrap();
    expect(passedOn.identifiers).toBe(order2.identifiers);
    expect(passedOn.tags).toBe(endpoint.certificateTags);
  });
});
