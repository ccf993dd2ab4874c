import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { makeAccount, makeEndpoint, makeOrder } from "@acme-endpoints/core/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createSqliteStorage, type SqliteStorage } from "./index.js";
import { tempDirectory } from "./test/temp-database.js";

// The rules that keep ACME safe, held by SQLite across two processes sharing one file: a nonce
// is consumed once, an order gets one certificate.

const CHILD = fileURLToPath(new URL("./test/race-child.ts", import.meta.url));
const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CHILD_TIMEOUT_MS = 30_000;

const temp = tempDirectory();
afterAll(() => temp.remove());
let count = 0;

interface ChildAnswer {
  readonly tried: number;
  readonly won: string[];
  readonly failures: string[];
}

interface Child {
  /** Tells the child when to start (epoch ms). */
  go(at: number): void;
  readonly answer: Promise<ChildAnswer>;
  /** Resolves once the child has opened the database and waits for "go". */
  readonly ready: Promise<void>;
  kill(): void;
}

function startChild(args: readonly string[]): Child {
  const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", CHILD, ...args], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let ready!: () => void;
  const opened = new Promise<void>((resolve) => {
    ready = resolve;
  });
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (stdout.startsWith("ready\n")) ready();
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
  const answer = new Promise<ChildAnswer>((resolve, reject) => {
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").at(-1) ?? "";
      if (code === 0) resolve(JSON.parse(line) as ChildAnswer);
      else reject(new Error(`race child ended with ${code ?? signal}\n${stderr}\n${stdout}`));
    });
  });
  // A child that dies before "ready" fails the race through `answer`, not by hanging here.
  return {
    go: (at) => child.stdin.end(`go ${at}\n`),
    answer,
    ready: Promise.race([opened, answer.then(() => {})]),
    kill: () => child.kill("SIGKILL"),
  };
}

/** Starts two children and, once both have the database open, lets them go at one instant. */
async function race(args: readonly string[]): Promise<ChildAnswer[]> {
  const children = [startChild(args), startChild(args)];
  try {
    await Promise.all(children.map((child) => child.ready));
    const at = Date.now() + 100;
    for (const child of children) child.go(at);
    return await Promise.all(children.map((child) => child.answer));
  } catch (error) {
    // One failed: the other may be waiting for "go" that never comes.
    for (const child of children) child.kill();
    throw error;
  }
}

async function seeded(): Promise<{ storage: SqliteStorage; file: string; endpointId: string }> {
  const file = temp.file(`race-${++count}.sqlite`);
  const storage = createSqliteStorage({ filename: file })._unsafeUnwrap();
  const endpoint = (await storage.endpoints.insert(makeEndpoint()))._unsafeUnwrap();
  return { storage, file, endpointId: endpoint.id };
}

describe("two processes on one database file", () => {
  it("consume each of 200 nonces exactly once between them", async () => {
    const { storage, file, endpointId } = await seeded();
    const nonces = Array.from({ length: 200 }, (_, i) => `nonce-${i}-${crypto.randomUUID()}`);
    const expiresAt = new Date(Date.now() + 3_600_000);
    for (const nonce of nonces) (await storage.nonces.insert(endpointId, nonce, expiresAt))._unsafeUnwrap();
    await storage.close();

    const answers = await race([file, "nonces", endpointId, ...nonces]);
    expect(answers.flatMap((answer) => answer.failures)).toEqual([]);
    const won = answers.flatMap((answer) => answer.won);
    expect(won.toSorted()).toEqual(nonces.toSorted());
  }, 60_000);

  it("finalize each of 40 ready orders exactly once: one certificate per order", async () => {
    const { storage, file, endpointId } = await seeded();
    const account = (await storage.accounts.insert(makeAccount({ id: endpointId })))._unsafeUnwrap();
    const orders = [];
    for (let i = 0; i < 40; i++) {
      orders.push((await storage.orders.insert(makeOrder(account, { status: "ready" })))._unsafeUnwrap());
    }
    const answers = await race([file, "finalize", endpointId, ...orders.map((order) => order.id)]);
    expect(answers.flatMap((answer) => answer.failures)).toEqual([]);
    // Both read every order as ready before the start: both tried to claim each one.
    expect(answers.map((answer) => answer.tried)).toEqual([orders.length, orders.length]);
    const won = answers.flatMap((answer) => answer.won);
    expect(won.toSorted()).toEqual(orders.map((order) => order.id).toSorted());

    const perOrder = storage.database
      .prepare("SELECT order_id, count(*) AS n FROM certificates GROUP BY order_id")
      .all() as { order_id: string; n: number }[];
    expect(perOrder).toHaveLength(orders.length);
    expect(perOrder.filter((row) => row.n !== 1)).toEqual([]);
    for (const order of orders) {
      const final = (await storage.orders.get(endpointId, order.id))._unsafeUnwrap();
      expect(final).toMatchObject({ status: "valid", version: order.version + 2 });
      const certificate = (
        await storage.certificates.get(endpointId, final!.certificateSerial!)
      )._unsafeUnwrap();
      expect(certificate?.orderId).toBe(order.id);
    }
    await storage.close();
  }, 60_000);
});
