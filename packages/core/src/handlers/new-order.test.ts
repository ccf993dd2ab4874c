import { describe, expect, it } from "vitest";
import { setup } from "../test/setup.js";

/** The stored order of a newOrder answer (its id is the location's last segment). */
async function storedOrder(t: Awaited<ReturnType<typeof setup>>, location: string | null | undefined) {
  const id = String(location).split("/").pop() ?? "";
  return (await t.storage.orders.get(t.endpoint.id, id))._unsafeUnwrap();
}

/** An order's members before and after the requested validity's. */
const HEAD = ["id", "endpointId", "accountId", "status", "identifiers", "authorizationIds"];
const TAIL = ["expires", "createdAt", "version"];

describe("newOrder's stored order", () => {
  it("has the members, in the order, that the spread of the requested validity gave", async () => {
    const t = await setup();
    const acme = await t.client();
    await acme.register();
    const plain = await acme.newOrder(["a.example.test", "b.example.test"]);
    const order = await storedOrder(t, plain.location);
    expect(Object.keys(order ?? {})).toEqual([...HEAD, ...TAIL]);
    expect(order?.authorizationIds).toHaveLength(2);
    expect(order?.version).toBe(1);

    const now = Date.now();
    const notBefore = new Date(now + 3_600_000).toISOString();
    const notAfter = new Date(now + 10 * 86_400_000).toISOString();
    const asked = await acme.newOrder(["example.test"], { notBefore, notAfter });
    const withValidity = await storedOrder(t, asked.location);
    expect(Object.keys(withValidity ?? {})).toEqual([...HEAD, "notBefore", "notAfter", ...TAIL]);
    expect(withValidity).toMatchObject({ notBefore, notAfter, status: "ready" });

    const onlyEnd = await acme.newOrder(["example.test"], { notAfter });
    expect(Object.keys((await storedOrder(t, onlyEnd.location)) ?? {})).toContain("notAfter");
    expect(Object.keys((await storedOrder(t, onlyEnd.location)) ?? {})).not.toContain("notBefore");
  });
});
