/**
 * One of the processes of two-processes.test.ts: opens the database file given as argument,
 * prints "ready", waits for "go <epoch ms>" on stdin and then for that instant (so that both
 * processes start together), runs its part of the race and prints one JSON line with what it won.
 *
 *   node --conditions=source --import tsx race-child.ts <file> nonces <endpointId> <nonce>...
 *   node --conditions=source --import tsx race-child.ts <file> finalize <endpointId> <orderId>...
 */
import { createInterface } from "node:readline";
import type { Order } from "@acme-endpoints/core";
import { makeCertificate } from "@acme-endpoints/core/testing";
import { ok, safeTry } from "neverthrow";
import { createSqliteStorage } from "../index.js";

const [file, mode, endpointId, ...keys] = process.argv.slice(2);
if (file === undefined || endpointId === undefined || (mode !== "nonces" && mode !== "finalize")) {
  console.error("usage: race-child.ts <file> nonces|finalize <endpointId> <key>...");
  process.exit(2);
}
const opened = createSqliteStorage({ filename: file });
if (opened.isErr()) {
  console.error(opened.error.message);
  process.exit(1);
}
const storage = opened.value;
const now = new Date();
const failures: string[] = [];

// Finalize: both processes read every order before the start, so both see them all `ready` and
// both try to claim each one, with a versioned update of what they read.
const seen: Order[] = [];
if (mode === "finalize") {
  for (const orderId of keys) {
    const order = await storage.orders.get(endpointId, orderId);
    if (order.isErr()) failures.push(order.error.message);
    else if (order.value?.status === "ready") seen.push(order.value);
  }
}

console.log("ready");
const startAt = await new Promise<number>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.once("line", (line) => {
    lines.close();
    resolve(Number(line.split(" ")[1]));
  });
});
await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));

const won: string[] = [];
/** How many keys this process tried to win: all of them, or the race proves little. */
const tried = mode === "nonces" ? keys.length : seen.length;

if (mode === "nonces") {
  for (const nonce of keys) {
    // A consume is one short statement: without a pause one process would be through the
    // list before the other's first try came back from waiting for the lock.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const consumed = await storage.nonces.consume(endpointId, nonce, now);
    if (consumed.isErr()) failures.push(consumed.error.message);
    else if (consumed.value) won.push(nonce);
  }
} else {
  // What finalize does, in one transaction: claim the order (ready → processing, versioned on
  // what was read), record its certificate, mark it valid. The pauses let the other process
  // run in between.
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (const order of seen) {
    await pause(0);
    const finalized = await storage.transaction((tx) =>
      safeTry(async function* () {
        const processing = yield* tx.orders.update({ ...order, status: "processing" });
        await pause(0);
        const certificate = yield* tx.certificates.insert(makeCertificate(processing));
        return ok(
          yield* tx.orders.update({ ...processing, status: "valid", certificateSerial: certificate.serial }),
        );
      }),
    );
    // A conflict is the other process having claimed the order first: lost, not failed.
    if (finalized.isOk()) won.push(order.id);
    else if (finalized.error.type !== "conflict") failures.push(finalized.error.message);
  }
}

await storage.close();
console.log(JSON.stringify({ tried, won, failures }));
