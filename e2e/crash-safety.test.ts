import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestCsr, expectStatus, generateTestKey, TestAcmeClient } from "@acme-endpoints/core/testing";
import { createSqliteStorage, type SqliteStorage } from "@acme-endpoints/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { HttpsTransport } from "./support/https-transport.js";
import { type ExampleServer, startExampleServer } from "./support/server.js";

// The example server on SQLite, killed with SIGKILL while several clients are getting
// certificates over HTTPS, restarted on the same data dir, a few times over. What must hold:
// every certificate a client received is still in the store, downloadable and revocable; every
// order the kill interrupted can be completed (an order caught in `processing` comes back as
// `ready` after --processing-timeout-ms); the database file passes `PRAGMA integrity_check`.

/** Concurrent ACME clients, each running issuance flows one after another. */
const WORKERS = 6;
/**
 * Each round's kill, once its clients received `certificates`: a moment later (`delayMs`),
 * wherever the server is; or (`finalize`) with a finalize caught between claiming its order
 * (`processing`, committed) and storing its certificate, the crash that recovery is for.
 */
const KILL_POINTS = [
  { certificates: 2, at: "anywhere", delayMs: 0 },
  { certificates: 4, at: "finalize" },
  { certificates: 6, at: "anywhere", delayMs: 37 },
  { certificates: 8, at: "finalize" },
] as const;
/** Finalizes to look into before killing wherever the server is. */
const MAX_PROBES = 50;
/** Looks at one finalize's order, at most. */
const MAX_STEPS = 500;
const PROCESSING_TIMEOUT_MS = 1_000;
/** Bounds every wait of the test: for a kill point, for an interrupted order to settle. */
const WAIT_LIMIT_MS = 30_000;
/** Bounds each client's flows per round (the kill comes much earlier). */
const MAX_FLOWS_PER_WORKER = 200;

type AcmeObject = Record<string, unknown>;

interface Received {
  readonly client: TestAcmeClient;
  readonly certificateUrl: string;
  readonly chainPem: string;
  readonly round: number;
}

interface Interrupted {
  readonly client: TestAcmeClient;
  readonly orderUrl: string;
  readonly name: string;
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean, failed: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let failure: unknown;
  failed.catch((error: unknown) => {
    failure = error;
  });
  while (!condition()) {
    if (failure !== undefined) throw failure;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_LIMIT_MS} ms`);
    await sleep(10);
  }
}

/** The order as it is now (POST-as-GET by its account). */
async function readOrder(client: TestAcmeClient, orderUrl: string): Promise<AcmeObject> {
  return expectStatus(await client.send<AcmeObject>(orderUrl, undefined), [200]).body;
}

/** Finalizes a ready order with a fresh key, waits while it is processing, downloads the chain. */
async function finalizeAndDownload(
  client: TestAcmeClient,
  orderUrl: string,
  order: AcmeObject,
  name: string,
): Promise<{ certificateUrl: string; chainPem: string }> {
  const csr = createTestCsr({ privateKey: generateTestKey("P-256").privateKey, dnsNames: [name] });
  let current = expectStatus(await client.finalize(order, csr), [200]).body;
  for (let polls = 0; current.status === "processing" && polls < 100; polls++) {
    await sleep(50);
    current = await readOrder(client, orderUrl);
  }
  if (current.status !== "valid") throw new Error(`order ${orderUrl} ended ${JSON.stringify(current)}`);
  return download(client, String(current.certificate));
}

async function download(client: TestAcmeClient, certificateUrl: string) {
  const chain = expectStatus(await client.send<string>(certificateUrl, undefined), [200]);
  return { certificateUrl, chainPem: chain.body };
}

/**
 * One client's flows until the kill: newOrder → finalize → download, each received certificate
 * recorded. A request failing once the kill began ends the worker, remembering the order it
 * was working on; any failure before the kill fails the test.
 */
async function runFlows(
  client: TestAcmeClient,
  label: string,
  round: number,
  killing: () => boolean,
  received: Received[],
  interrupted: Interrupted[],
): Promise<void> {
  for (let flow = 0; flow < MAX_FLOWS_PER_WORKER && !killing(); flow++) {
    const name = `${label}-${flow}.example.test`;
    let current: Interrupted | undefined;
    try {
      const created = expectStatus(await client.newOrder([name]), [201]);
      current = { client, orderUrl: String(created.location), name };
      const got = await finalizeAndDownload(client, current.orderUrl, created.body, name);
      received.push({ client, ...got, round });
      current = undefined;
    } catch (error) {
      if (!killing()) throw error;
      if (current !== undefined) interrupted.push(current);
      return;
    }
  }
}

/**
 * An order the kill interrupted, after the restart: `processing` until the timeout, then
 * `ready` (finalize again) or already `valid` (the certificate was stored, the answer lost).
 * Answers the certificate.
 */
async function completeInterrupted(order: Interrupted, round: number): Promise<Received> {
  const { client, orderUrl, name } = order;
  const deadline = Date.now() + WAIT_LIMIT_MS;
  let current = await readOrder(client, orderUrl);
  while (current.status === "processing") {
    if (Date.now() > deadline)
      throw new Error(`order ${orderUrl} stays processing: ${JSON.stringify(current)}`);
    await sleep(100);
    current = await readOrder(client, orderUrl);
  }
  const got =
    current.status === "ready"
      ? await finalizeAndDownload(client, orderUrl, current, name)
      : current.status === "valid"
        ? await download(client, String(current.certificate))
        : undefined;
  if (got === undefined) throw new Error(`interrupted order ${orderUrl} is ${JSON.stringify(current)}`);
  return { client, ...got, round };
}

/** The serial the store keys a certificate by: the last segment of its URL (…/cert/{serial}). */
function serialOf(got: Received): string {
  return got.certificateUrl.split("/").at(-1) ?? "";
}

/**
 * Waits for a finalize the server is in the middle of: after a client sent a finalize request,
 * freezes the server (SIGSTOP) again and again, each time looking the order up in the database
 * file and letting the server go on (SIGCONT), until the order is `processing` (claimed, its
 * certificate not stored yet): then answers the order's URL with the server frozen there, for
 * the caller to kill. An order that got past `processing` unseen is given up for the next
 * finalize. Answers undefined, the server running, when MAX_PROBES finalizes were missed.
 */
/**
 * SIGSTOP takes effect asynchronously: until the kernel shows the process stopped (state T in
 * /proc/<pid>/stat), it may still commit, e.g. a finalize's `valid` right after the `processing`
 * the probe then reads. Without /proc (not Linux), a short pause instead.
 */
async function stopped(pid: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    let state: string | undefined;
    try {
      state = /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
    } catch {
      await sleep(20);
      return;
    }
    if (state === "T" || state === "t") return;
    await sleep(1);
  }
  throw new Error(`process ${pid} did not stop within 500 looks after SIGSTOP`);
}

async function catchFinalize(
  server: ExampleServer,
  transport: HttpsTransport,
  database: SqliteStorage,
): Promise<string | undefined> {
  const pid = server.pid;
  if (pid === undefined) throw new Error("the server has no pid");
  const sent: string[] = [];
  let wake: (() => void) | undefined;
  transport.onSent = (method, url) => {
    if (method !== "POST" || !url.endsWith("/finalize")) return;
    sent.push(url.slice(0, -"/finalize".length));
    wake?.();
  };
  /** The order's status with the server frozen; the server stays frozen when it is `processing`. */
  const look = async (orderUrl: string): Promise<string | undefined> => {
    process.kill(pid, "SIGSTOP");
    let status: string | undefined;
    try {
      await stopped(pid);
      const order = await database.orders.get(server.endpointId, orderUrl.split("/").at(-1) ?? "");
      status = order.isOk() ? order.value?.status : undefined;
    } finally {
      if (status !== "processing") process.kill(pid, "SIGCONT");
    }
    return status;
  };
  try {
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      if (sent.length === 0) {
        const woken = new Promise<void>((resolve) => {
          wake = resolve;
        });
        await Promise.race([woken, sleep(WAIT_LIMIT_MS)]);
      }
      const orderUrl = sent.pop();
      sent.length = 0;
      if (orderUrl === undefined) return undefined;
      // Step through the finalize: still `ready` means not claimed yet, look again.
      for (let step = 0; step < MAX_STEPS; step++) {
        const status = await look(orderUrl);
        if (status === "processing") return orderUrl;
        if (status !== "ready") break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    return undefined;
  } finally {
    transport.onSent = undefined;
  }
}

function openDatabase(file: string): SqliteStorage {
  const opened = createSqliteStorage({ filename: file, readonly: true });
  if (opened.isErr()) throw new Error(opened.error.message);
  return opened.value;
}

async function orderStatus(file: string, endpointId: string, orderUrl: string): Promise<string | undefined> {
  const database = openDatabase(file);
  try {
    const order = await database.orders.get(endpointId, orderUrl.split("/").at(-1) ?? "");
    return order._unsafeUnwrap()?.status;
  } finally {
    await database.close();
  }
}

describe("crash safety: SIGKILL mid-load, restart on the same SQLite data dir", () => {
  it("keeps every certificate a client received, recovers every interrupted order, and stays intact", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "acme-e2e-crash-"));
    scratch.push(dataDir);
    const databaseFile = join(dataDir, "acme.sqlite");
    const flags = ["--storage", "sqlite", "--processing-timeout-ms", String(PROCESSING_TIMEOUT_MS)];
    let server: ExampleServer = await startExampleServer({ dataDir, args: flags });
    // Restarts take the same port: account URLs (JWS `kid`s) and order URLs include it.
    const port = new URL(server.directoryUrl).port;
    const first = { directoryUrl: server.directoryUrl, rootPem: readFileSync(server.tlsCaFile, "utf8") };
    const transport = new HttpsTransport(first.rootPem);
    const received: Received[] = [];
    const caughtInFinalize: string[] = [];
    let interruptedTotal = 0;

    try {
      for (const [round, killPoint] of KILL_POINTS.entries()) {
        const clients = await Promise.all(
          Array.from({ length: WORKERS }, () =>
            TestAcmeClient.create({ fetch: transport.fetch, directoryUrl: server.directoryUrl }),
          ),
        );
        for (const client of clients) expectStatus(await client.register(), [201]);

        let killing = false;
        const interrupted: Interrupted[] = [];
        const before = received.length;
        const load = Promise.all(
          clients.map((client, worker) =>
            runFlows(client, `r${round}-w${worker}`, round, () => killing, received, interrupted),
          ),
        );
        await waitFor(
          `round ${round}: ${killPoint.certificates} certificates`,
          () => received.length - before >= killPoint.certificates,
          load,
        );
        let caught: string | undefined;
        const probing = openDatabase(databaseFile);
        try {
          if (killPoint.at === "finalize") caught = await catchFinalize(server, transport, probing);
          else await sleep(killPoint.delayMs);
          killing = true;
          await server.kill();
        } finally {
          await probing.close();
        }
        await load;
        transport.reset();
        interruptedTotal += interrupted.length;
        if (caught !== undefined) {
          caughtInFinalize.push(caught);
          // The client working on it saw its finalize fail with the kill.
          expect(interrupted.map((order) => order.orderUrl)).toContain(caught);
        }

        server = await startExampleServer({ dataDir, args: [...flags, "--port", port] });
        // The same endpoint, at the same URL, under the same CA: all of it came back from the file.
        expect(server.directoryUrl).toBe(first.directoryUrl);
        expect(readFileSync(server.tlsCaFile, "utf8")).toBe(first.rootPem);

        if (caught !== undefined) {
          // The kill left it claimed without a certificate, and the restart alone changes nothing.
          // Rarely the freeze lands inside SQLite's commit of the issuance itself: its WAL frames,
          // commit frame included, are written, but the wal-index that shows them to readers is
          // not updated yet. The probe then read `processing`, and the restart, which rebuilds the
          // index from the WAL, finds the whole transaction: the order `valid` with its
          // certificate (one transaction, so never one without the other; the downloads below
          // check the certificate). Either way nothing was half done.
          expect(["processing", "valid"]).toContain(
            await orderStatus(databaseFile, server.endpointId, caught),
          );
        }
        for (const order of interrupted) received.push(await completeInterrupted(order, round));
        if (caught !== undefined) {
          // A `processing` one only completes through recovery (back to `ready`, over
          // --processing-timeout-ms after the claim) and a second finalize.
          expect(await orderStatus(databaseFile, server.endpointId, caught)).toBe("valid");
        }
        // Every certificate received so far, in any round, downloads as it was received.
        for (const got of received) {
          expect((await download(got.client, got.certificateUrl)).chainPem).toBe(got.chainPem);
        }
        const database = openDatabase(databaseFile);
        try {
          expect(database.database.pragma("integrity_check", { simple: true })).toBe("ok");
          for (const got of received) {
            const stored = await database.certificates.get(server.endpointId, serialOf(got));
            expect(stored._unsafeUnwrap()?.chainPem).toBe(got.chainPem);
          }
        } finally {
          await database.close();
        }
      }

      // A client that got a certificate before a restart can revoke it after.
      for (const got of received) {
        const der = new X509Certificate(got.chainPem).raw.toString("base64url");
        const revoked = await got.client.send(got.client.directory.revokeCert, { certificate: der });
        expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
      }
    } finally {
      transport.close();
      await server.stop();
    }

    // Without one, recovery from `processing` went untested (each of the "finalize" rounds
    // missed MAX_PROBES finalizes in a row: the server never stays long between claim and store).
    expect(caughtInFinalize.length, "kills that caught a finalize in processing").toBeGreaterThan(0);
    const database = openDatabase(databaseFile);
    try {
      expect(database.database.pragma("integrity_check", { simple: true })).toBe("ok");
      // Every order the kills caught in `processing` was read again, and so recovered.
      const processing = database.database
        .prepare("SELECT count(*) AS n FROM orders WHERE json_extract(data, '$.status') = 'processing'")
        .get() as { n: number };
      expect(processing.n).toBe(0);
      for (const got of received) {
        const stored = await database.certificates.get(server.endpointId, serialOf(got));
        expect(stored._unsafeUnwrap()?.status).toBe("revoked");
      }
    } finally {
      await database.close();
    }
    console.info(
      `[crash-safety] ${KILL_POINTS.length} kills: ${received.length} certificates kept and revoked, ` +
        `${interruptedTotal} flows interrupted, ${caughtInFinalize.length} of them killed in finalize while processing`,
    );
  }, 120_000);
});
