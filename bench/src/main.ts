/**
 * `pnpm bench [--scenario compare|c32|long|micro] [options]`: issuance throughput, latency and
 * server CPU per certificate for our server (bare node:https host, Express example server), a
 * skeleton of the least a Node ACME server can cost, and Pebble, alternating targets round by
 * round, plus the crypto floor. Every run is bounded in flows and in time; figures are medians
 * (min–max) over rounds. See the README's Performance section for the figures and the commands
 * that produced them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { CertKeyType } from "./load/csr.js";
import { type RunResult, runFlows } from "./load/run.js";
import { JWS_PER_CERTIFICATE, type MicroResult, measureCryptoFloor } from "./micro.js";
import { printLongRun, printMicro, printRuns, type TargetRuns } from "./report.js";
import { percentile } from "./stats.js";
import { RUNS_SOURCES, startTarget, TARGET_KINDS, type TargetKind } from "./targets/targets.js";

/**
 * Warm-up flows before the measured ones: V8 needs a few thousand flows to finish compiling
 * our server's hot paths (per-window CPU at c=8: 2.5 ms per certificate over the first 500,
 * 1.4 over the next 1,000, flat at ~1.2 from ~2,500 on), so the comparisons warm our Node
 * targets with 3,000 flows first and measure the steady state a long-running server lives in.
 * Pebble is compiled Go: it costs the same per certificate after 200 warm-up flows as after
 * 3,000 (2.42–2.56 against 2.44–2.46 ms), while every flow risks its deadlock (with 3,000 it
 * stalled in warm-up in 16 runs of 22), so it gets `--pebble-warmup` (200) flows. The long run
 * keeps a short warm-up: its windows show the warm-up itself.
 */
const SCENARIOS = {
  compare: { flows: 2000, concurrency: 8, rounds: 3, timeLimitS: 60, warmup: 3000, targets: TARGET_KINDS },
  c32: { flows: 10_000, concurrency: 32, rounds: 1, timeLimitS: 180, warmup: 3000, targets: TARGET_KINDS },
  long: {
    flows: 100_000,
    concurrency: 8,
    rounds: 1,
    timeLimitS: 900,
    warmup: 200,
    targets: ["bare"] as TargetKind[],
  },
  micro: { flows: 0, concurrency: 0, rounds: 0, timeLimitS: 0, warmup: 0, targets: [] as TargetKind[] },
} as const;

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    scenario: { type: "string", default: "compare" },
    targets: { type: "string" },
    rounds: { type: "string" },
    flows: { type: "string" },
    concurrency: { type: "string" },
    warmup: { type: "string" },
    "pebble-warmup": { type: "string" },
    "time-limit": { type: "string" },
    "stall-limit": { type: "string", default: "15" },
    "cert-key": { type: "string", default: "p256" },
    storage: { type: "string", default: "memory" },
    "sample-every": { type: "string", default: "1000" },
    "no-micro": { type: "boolean", default: false },
    profile: { type: "string" },
    "node-flags": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(`pnpm bench [--scenario compare|c32|long|micro] [--targets bare,bare-http,express,skeleton,pebble,pebble-challenge]
  [--rounds N] [--flows N] [--concurrency C] [--warmup N] [--pebble-warmup N] [--time-limit S] [--stall-limit S]
  [--cert-key p256|rsa2048] [--storage memory|sqlite] [--sample-every N] [--no-micro]
  [--profile DIR]   write V8 CPU profiles of our server processes into DIR
  [--node-flags "F"] extra node flags for our server processes (space-separated)`);
  process.exit(0);
}
const scenarioName = values.scenario as keyof typeof SCENARIOS;
const scenario = SCENARIOS[scenarioName];
if (scenario === undefined) throw new Error(`unknown --scenario ${values.scenario}`);
const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
const targets = (values.targets?.split(",") ?? scenario.targets) as TargetKind[];
const unknownTarget = targets.find((t) => !TARGET_KINDS.includes(t));
if (unknownTarget !== undefined) {
  console.error(`unknown target ${JSON.stringify(unknownTarget)}: --targets takes ${TARGET_KINDS.join(",")}`);
  process.exit(2);
}
const concurrency = num(values.concurrency, scenario.concurrency);
const settings = {
  scenario: scenarioName,
  targets,
  rounds: num(values.rounds, scenario.rounds),
  flows: num(values.flows, scenario.flows),
  concurrency,
  warmup: num(values.warmup, Math.max(scenario.warmup, concurrency * 10)),
  pebbleWarmup: num(values["pebble-warmup"], Math.max(200, concurrency * 10)),
  timeLimitS: num(values["time-limit"], scenario.timeLimitS),
  stallS: num(values["stall-limit"], 15),
  certKey: values["cert-key"] as CertKeyType,
  storage: values.storage as "memory" | "sqlite",
  sampleEvery: scenarioName === "long" ? num(values["sample-every"], 1000) : 0,
  nodeFlags: values["node-flags"] ?? "",
};
console.log(`# acme-endpoints bench — ${new Date().toISOString()}, node ${process.version}`);
console.log(`settings: ${JSON.stringify(settings)}`);
console.log(
  RUNS_SOURCES
    ? "packages: TypeScript sources through tsx (--conditions=source)\n"
    : "packages: built dist/ (pnpm build), as installed from npm\n",
);

let micro: MicroResult | undefined;
if (!values["no-micro"] || scenarioName === "micro") {
  micro = await measureCryptoFloor();
  printMicro(micro, JWS_PER_CERTIFICATE);
}

const runs: TargetRuns = new Map();
for (let round = 0; round < settings.rounds; round++) {
  // Alternate: each round starts one target later, so drift on a noisy machine spreads evenly.
  const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
  for (const kind of order) {
    const result = await oneRun(kind);
    const list = runs.get(kind) ?? [];
    list.push(result);
    runs.set(kind, list);
    const r = result;
    console.error(
      `round ${round + 1} ${kind}: ${r === undefined ? "did not get through setup (see above)" : `${r.completed} certs in ${r.wallS.toFixed(1)} s, server CPU ${((1000 * r.serverCpuS) / Math.max(1, r.completed)).toFixed(2)} ms/cert (kernel ${((1000 * r.serverSystemS) / Math.max(1, r.completed)).toFixed(2)}), errors ${JSON.stringify(r.errors)}${Object.keys(r.errorSamples).length > 0 ? ` ${JSON.stringify(r.errorSamples)}` : ""}, ended by ${r.endedBy}`}`,
    );
  }
}
if (runs.size > 0) printRuns(runs, settings, micro);
if (scenarioName === "long") for (const r of runs.get("bare") ?? []) if (r) printLongRun(r);

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "../.results");
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `${scenarioName}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  JSON.stringify(
    {
      settings,
      micro,
      runs: Object.fromEntries(
        [...runs].map(([k, list]) => [
          k,
          list.map(
            (r) =>
              r && {
                ...r,
                latenciesMs: undefined,
                p50Ms: percentile(r.latenciesMs, 50),
                p99Ms: percentile(r.latenciesMs, 99),
                maxMs: percentile(r.latenciesMs, 100),
              },
          ),
        ]),
      ),
    },
    null,
    1,
  ),
);
console.log(`\nraw results: ${file}`);

async function oneRun(kind: TargetKind): Promise<RunResult | undefined> {
  let target: Awaited<ReturnType<typeof startTarget>> | undefined;
  try {
    target = await startTarget(kind, {
      storage: settings.storage,
      ...(values.profile ? { profileDir: values.profile } : {}),
      ...(values["node-flags"] ? { nodeFlags: values["node-flags"].split(" ").filter(Boolean) } : {}),
    });
    return await runFlows({
      directoryUrl: target.directoryUrl,
      ca: target.ca,
      pid: target.pid,
      flows: settings.flows,
      concurrency: settings.concurrency,
      warmup: kind === "pebble" || kind === "pebble-challenge" ? settings.pebbleWarmup : settings.warmup,
      timeLimitMs: settings.timeLimitS * 1000,
      stallMs: settings.stallS * 1000,
      certKey: settings.certKey,
      names: target.names,
      sampleEvery: settings.sampleEvery,
    });
  } catch (error) {
    console.error(`${kind}: ${(error as Error).message}`);
    return undefined;
  } finally {
    await target?.stop();
  }
}
