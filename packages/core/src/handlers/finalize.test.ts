import "reflect-metadata";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { ResultAsync } from "neverthrow";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createLocalCertificateAuthority } from "../ca/local.js";
import { createTestCsr } from "../crypto/test-csr.js";
import type { CertificateAuthority } from "../ports/certificate-authority.js";
import { generateTestKey } from "../testing/acme-client.js";
import { createTestServer } from "../testing/test-server.js";

/** A finalizeWaitMs no other timer of the test uses, to tell finalize's wait timer apart. */
const WAIT_MS = 4321;

/** `value` after `jobs` promise jobs, with no I/O or timer in between. */
function afterJobs<T>(jobs: number, value: () => PromiseLike<T>): Promise<T> {
  let p: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < jobs; i++) p = p.then(() => undefined);
  return p.then(value);
}

/** Finalizes one order through a CA that issues after `delay` does; answers the finalize body and the wait timers set. */
async function finalizeThrough(delay: <T>(issue: () => PromiseLike<T>) => Promise<T>) {
  const storage = createMemoryStorage();
  const local = createLocalCertificateAuthority({ store: storage.caMaterials });
  const ca: CertificateAuthority = {
    provision: (id) => local.provision(id),
    issue: (request) => new ResultAsync(delay(() => local.issue(request))),
  };
  const { client } = await createTestServer({
    storage,
    certificateAuthority: ca,
    limits: { finalizeWaitMs: WAIT_MS },
  });
  const acme = await client();
  await acme.register();
  const order = await acme.newOrder(["example.test"]);
  const csr = createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: ["example.test"] });
  await local.provision("");
  const setTimeoutSpy = vi.spyOn(globalThis, "setTimeout");
  const response = await acme.finalize(order.body, csr);
  const waitTimers = setTimeoutSpy.mock.calls.filter((call) => call[1] === WAIT_MS).length;
  setTimeoutSpy.mockRestore();
  return { body: response.body as Record<string, unknown>, waitTimers };
}

afterEach(() => vi.restoreAllMocks());

describe("finalize's wait for the CA (finalizeWaitMs)", () => {
  it("sets no timer when issuance settles with no I/O, however many promise jobs it takes", async () => {
    for (const jobs of [0, 5, 15, 16, 17, 40, 300]) {
      const { body, waitTimers } = await finalizeThrough((issue) => afterJobs(jobs, issue));
      expect(body.status, `${jobs} jobs`).toBe("valid");
      expect(waitTimers, `${jobs} jobs`).toBe(0);
    }
  });

  it("sets the timer once when issuance waits on something else (here a macrotask)", async () => {
    const { body, waitTimers } = await finalizeThrough((issue) =>
      new Promise((resolve) => setImmediate(resolve)).then(issue),
    );
    // The immediate runs long before WAIT_MS: the certificate is in the answer, the timer cleared.
    expect(body.status).toBe("valid");
    expect(waitTimers).toBe(1);
  });
});
