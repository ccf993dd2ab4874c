/**
 * Server CPU per request kind, for finding where an issuance's CPU goes: starts one target,
 * makes one account and one issued order, then sends N requests of each kind (sequential per
 * worker, `concurrency` workers) and reads the server's CPU from /proc around each batch.
 * `node --conditions=source --import tsx bench/src/breakdown.ts [bare|bare-http|express|skeleton|pebble] [N] [profile-dir] [only-kind]`
 */
import { setMaxListeners } from "node:events";
import { AcmeWorker, type Directory } from "./load/acme.js";
import { createCsr, generateCertKey } from "./load/csr.js";
import { HttpClient } from "./load/http.js";
import { generateAccountKey } from "./load/jws.js";
import { processCpuTimes } from "./targets/proc.js";
import { startTarget, type TargetKind } from "./targets/targets.js";

const kind = (process.argv[2] ?? "bare") as TargetKind;
const n = Number(process.argv[3] ?? 2000);
const concurrency = Number(process.env.BREAKDOWN_CONCURRENCY ?? 8);
const profileDir = process.argv[4];
const only = process.argv[5];
const target = await startTarget(kind, { storage: "memory", ...(profileDir ? { profileDir } : {}) });
try {
  const http = new HttpClient({ ca: target.ca, sockets: concurrency, timeoutMs: 30_000 });
  const signal = new AbortController().signal;
  setMaxListeners(0, signal);
  const directory = JSON.parse(
    (await http.send("GET", target.directoryUrl, undefined, signal)).body.toString(),
  ) as Directory;
  const workers = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const w = new AcmeWorker(http, directory, generateAccountKey(), signal);
      await w.register();
      return w;
    }),
  );
  const names = (w: number, i: number) => target.names(w, i);
  // One issued order per worker, to read back.
  const issued = await Promise.all(
    workers.map(async (w, i) => {
      const order = await w.post(directory.newOrder, {
        identifiers: names(i, 0).map((value) => ({ type: "dns", value })),
      });
      const authz = (order.json.authorizations as string[])[0]!;
      await w.authorize(authz);
      const key = generateCertKey("p256");
      const finalized = await w.post(String(order.json.finalize), {
        csr: createCsr(key, names(i, 0)).toString("base64url"),
      });
      // Pebble answers finalize with `processing`; the certificate URL comes with `valid`.
      const done =
        finalized.json.status === "valid"
          ? finalized.json
          : await w.poll(order.location!, (o) => o.status === "valid" || o.status === "invalid", "order");
      return { orderUrl: order.location!, authz, cert: String(done.certificate) };
    }),
  );
  let counter = 1;
  // Client-side CSR cost stays out of the server's figure, but keep it cheap: one key.
  const certKey = generateCertKey("p256");
  const csrFor = (flowNames: readonly string[]) => createCsr(certKey, flowNames).toString("base64url");
  const kinds: [string, (w: AcmeWorker, i: number) => Promise<unknown>][] = [
    ["HEAD newNonce", (w) => w.freshNonce()],
    ["POST-as-GET authorization", (w, i) => w.post(issued[i]!.authz, undefined)],
    ["POST-as-GET order", (w, i) => w.post(issued[i]!.orderUrl, undefined)],
    ["POST-as-GET certificate", (w, i) => w.post(issued[i]!.cert, undefined)],
    [
      "newOrder",
      (w, i) =>
        w.post(directory.newOrder, {
          identifiers: names(i, counter++).map((value) => ({ type: "dns", value })),
        }),
    ],
    [
      "newOrder + finalize (subtract newOrder)",
      async (w, i) => {
        const flowNames = names(i, counter++);
        const order = await w.post(directory.newOrder, {
          identifiers: flowNames.map((value) => ({ type: "dns", value })),
        });
        await w.post(String(order.json.finalize), { csr: csrFor(flowNames) });
      },
    ],
  ];
  for (let round = 0; round < 2; round++) {
    for (const [label, op] of kinds) {
      if (only !== undefined && !label.includes(only)) continue;
      let left = n;
      const cpu0 = processCpuTimes(target.pid);
      const connections0 = http.connections;
      await Promise.all(
        workers.map(async (w, i) => {
          while (left-- > 0) await op(w, i);
        }),
      );
      const cpu1 = processCpuTimes(target.pid);
      const cpu = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
      const kernel = cpu1.system - cpu0.system;
      if (round === 1)
        console.log(
          `${kind} ${label}: ${((cpu * 1e6) / n).toFixed(0)} µs server CPU per request, ${((kernel * 1e6) / n).toFixed(0)} of it in the kernel (${http.connections - connections0} new connections)`,
        );
    }
  }
  http.close();
} finally {
  await target.stop();
}
