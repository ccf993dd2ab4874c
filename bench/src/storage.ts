/**
 * `pnpm bench:storage [--flows N] [--rounds N] [--concurrency C] [--synchronous NORMAL|FULL]`:
 * full issuance flows per second (newOrder → finalize → certificate download, RFC 8555 §7.4)
 * over SQLite and over memory storage, in this one process through `server.handle` (no sockets,
 * no TLS: what differs between the runs is the storage). The same load for both; memory and
 * SQLite alternate, round by round, so that a machine getting slower or faster shows in both.
 * Prints each run, then medians (min–max) and the ratio SQLite / memory. Bounded: `--flows`
 * per run, and at most TIME_LIMIT_MS per run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { AcmeStorage } from "@acme-endpoints/core";
import { createTestServer, type TestAcmeClient } from "@acme-endpoints/core/testing";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { createSqliteStorage } from "@acme-endpoints/storage-sqlite";
import { median, spread } from "./stats.js";

const TIME_LIMIT_MS = 120_000;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    flows: { type: "string", default: "500" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "8" },
    warmup: { type: "string", default: "50" },
    synchronous: { type: "string", default: "NORMAL" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "pnpm bench:storage [--flows 500] [--rounds 3] [--concurrency 8] [--warmup 50] [--synchronous NORMAL|FULL]",
  );
  process.exit(0);
}
const flows = Number(values.flows);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const warmup = Number(values.warmup);
const synchronous = values.synchronous === "FULL" ? "FULL" : "NORMAL";

type Kind = "memory" | "sqlite";

interface Run {
  readonly kind: Kind;
  readonly completed: number;
  readonly seconds: number;
  /** CPU time of this process (user + system) over the timed flows. */
  readonly cpuSeconds: number;
  readonly errors: number;
}

const scratch = mkdtempSync(join(tmpdir(), "acme-bench-storage-"));
let files = 0;

function openStorage(kind: Kind): AcmeStorage {
  if (kind === "memory") return createMemoryStorage();
  const opened = createSqliteStorage({ filename: join(scratch, `bench-${++files}.sqlite`), synchronous });
  if (opened.isErr()) throw new Error(opened.error.message);
  return opened.value;
}

/** `count` flows spread over `clients`, each client running one flow at a time. */
async function drive(clients: readonly TestAcmeClient[], count: number, deadline: number) {
  let started = 0;
  let completed = 0;
  let errors = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (started < count && Date.now() < deadline) {
        started++;
        try {
          await client.issue([`host-${started}.example.test`]);
          completed++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { completed, errors };
}

async function run(kind: Kind): Promise<Run> {
  const storage = openStorage(kind);
  try {
    const { client } = await createTestServer({ storage });
    const clients = await Promise.all(Array.from({ length: concurrency }, () => client()));
    for (const c of clients) await c.register();
    // Warm-up: the CA hierarchy, JIT, SQLite's page cache; not counted.
    await drive(clients, warmup, Date.now() + TIME_LIMIT_MS);
    const began = performance.now();
    const cpu = process.cpuUsage();
    const { completed, errors } = await drive(clients, flows, Date.now() + TIME_LIMIT_MS);
    const used = process.cpuUsage(cpu);
    return {
      kind,
      completed,
      errors,
      seconds: (performance.now() - began) / 1000,
      cpuSeconds: (used.user + used.system) / 1e6,
    };
  } finally {
    await storage.close?.();
  }
}

const flowsPerSecond = (r: Run) => r.completed / r.seconds;
/** Less sensitive than wall time to other processes on the machine (the load is one process). */
const cpuMsPerFlow = (r: Run) => (1000 * r.cpuSeconds) / Math.max(1, r.completed);

console.log(`# storage bench — ${new Date().toISOString()}, node ${process.version}`);
console.log(
  `settings: ${JSON.stringify({ flows, rounds, concurrency, warmup, sqlite: { journal: "WAL", synchronous } })}\n`,
);
const runs: Run[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a warmer (or hotter) machine.
    const order: Kind[] = round % 2 === 0 ? ["memory", "sqlite"] : ["sqlite", "memory"];
    for (const kind of order) {
      const result = await run(kind);
      runs.push(result);
      console.log(
        `round ${round + 1} ${kind.padEnd(6)} ${result.completed} flows in ${result.seconds.toFixed(2)} s = ${flowsPerSecond(result).toFixed(1)} flows/s, ${cpuMsPerFlow(result).toFixed(2)} CPU ms/flow${result.errors ? `, ${result.errors} errors` : ""}`,
      );
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const of = (kind: Kind, figure: (r: Run) => number) => runs.filter((r) => r.kind === kind).map(figure);
const memory = of("memory", flowsPerSecond);
const sqlite = of("sqlite", flowsPerSecond);
const cpuRatio = median(of("memory", cpuMsPerFlow)) / median(of("sqlite", cpuMsPerFlow));
const ratio = median(sqlite) / median(memory);
const pairRatios = sqlite.map((s, i) => s / (memory[i] ?? Number.NaN));
console.log(`\n## Full issuance flows per second, concurrency ${concurrency}, ${flows} flows per run\n`);
console.log("| storage | flows/s, median (min–max) | CPU ms per flow |\n| --- | ---: | ---: |");
console.log(`| memory | ${spread(memory)} | ${spread(of("memory", cpuMsPerFlow), 2)} |`);
console.log(
  `| SQLite (WAL, synchronous=${synchronous}) | ${spread(sqlite)} | ${spread(of("sqlite", cpuMsPerFlow), 2)} |`,
);
console.log(
  `\nSQLite / memory = **${ratio.toFixed(2)}×** flows/s (ratio of medians; per round ${spread(pairRatios, 2)}), target ≥ 0.80×`,
);
console.log(`by CPU time per flow: SQLite at ${cpuRatio.toFixed(2)}× memory's throughput`);
const errors = runs.reduce((sum, r) => sum + r.errors, 0);
if (errors > 0) {
  console.log(`\n${errors} flows failed: the figures are not comparable.`);
  process.exitCode = 1;
}
