import type { RunResult } from "./load/run.js";
import type { MicroResult } from "./micro.js";
import { median, percentile, spread } from "./stats.js";
import type { TargetKind } from "./targets/targets.js";

export type TargetRuns = Map<TargetKind, (RunResult | undefined)[]>;

const LABELS: Record<TargetKind, string> = {
  bare: "ours, bare node:https (adapters-node)",
  "bare-http": "ours, bare node:http, TLS ended in front",
  express: "ours, Express (examples/server)",
  pebble: "Pebble 2.4, authz reused (valid path)",
  "pebble-challenge": "Pebble 2.4, challenge per order",
  skeleton: "skeleton: the least a Node ACME costs (not a server)",
};

/** A run that issued fewer certificates than this (it stalled early) says nothing about cost. */
const MIN_CERTS_FOR_COST = 100;

const cpuMsPerCert = (r: RunResult) => (1000 * r.serverCpuS) / Math.max(1, r.completed);
const certsPerS = (r: RunResult) => r.completed / r.wallS;

export function printMicro(micro: MicroResult, jwsPerCert: number): void {
  console.log("## Crypto floor (one core, this machine)\n");
  console.log("| primitive | µs | per second |\n| --- | ---: | ---: |");
  for (const [name, us] of Object.entries(micro.us)) {
    console.log(`| ${name} | ${us.toFixed(1)} | ${Math.round(1e6 / us).toLocaleString("en")} |`);
  }
  console.log(
    `\nfloor per certificate = ${jwsPerCert} × JWS verify + CSR parse/verify + certificate build/sign = ` +
      `${micro.floorUs.toFixed(0)} µs → **${Math.round(micro.floorCertsPerSecondPerCore).toLocaleString("en")} certs/s per core**`,
  );
  console.log(
    `bare-operations floor (CSR = one verify + one key import, leaf = one sign, no ASN.1 library) = ` +
      `${micro.bareFloorUs.toFixed(0)} µs → ${Math.round(1e6 / micro.bareFloorUs).toLocaleString("en")} certs/s per core\n`,
  );
}

export function printRuns(
  runs: TargetRuns,
  settings: { concurrency: number; flows: number; certKey: string; storage: string },
  micro: MicroResult | undefined,
): void {
  console.log(
    `## Issuance, ${settings.flows} flows per run at concurrency ${settings.concurrency}, ${settings.certKey} certificate keys, ${settings.storage} storage\n`,
  );
  console.log(
    "| target | runs done | certs/s | p50 ms | p99 ms | max ms | req/s | req/cert | server CPU ms/cert | load generator CPU ms/cert | errors | stalled or cut | CA key | RSS MiB |",
  );
  console.log(
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |",
  );
  for (const [kind, list] of runs) {
    // Throughput and latency only from runs that finished all their flows; CPU per certificate
    // from every run that issued enough to count (a stalled Pebble still spent what it spent).
    const ok = list.filter((r): r is RunResult => r !== undefined);
    const finished = ok.filter((r) => r.endedBy === "count");
    const costed = ok.filter((r) => r.completed >= MIN_CERTS_FOR_COST);
    const errors: Record<string, number> = {};
    for (const r of ok) for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
    const errorText = Object.keys(errors).length === 0 ? "0" : JSON.stringify(errors).replace(/"/g, "");
    const ended = ok
      .map((r) => (r.endedBy === "count" ? "" : `${r.endedBy} at ${r.completed}`))
      .filter(Boolean);
    // A run that never got through setup (no directory, no account) issued nothing to judge.
    if (ok.length < list.length) ended.push(`${list.length - ok.length} failed in setup`);
    console.log(
      `| ${LABELS[kind]} | ${finished.length}/${list.length} | ${spread(finished.map(certsPerS))} | ${spread(finished.map((r) => percentile(r.latenciesMs, 50)))} | ` +
        `${spread(finished.map((r) => percentile(r.latenciesMs, 99)))} | ${spread(finished.map((r) => Math.max(...r.latenciesMs)))} | ` +
        `${spread(
          finished.map((r) => r.requests / r.wallS),
          0,
        )} | ${spread(ok.map((r) => r.requests / Math.max(1, r.completed)))} | ` +
        `**${spread(costed.map(cpuMsPerCert), 2)}** | ${spread(
          costed.map((r) => (1000 * r.clientCpuS) / Math.max(1, r.completed)),
          2,
        )} | ${errorText} | ${ended.length === 0 ? "all flows" : ended.join(", ")} | ` +
        `${ok[0]?.caKey ?? ""} | ${spread(
          ok.map((r) => r.rssMiB),
          0,
        )} |`,
    );
  }
  const ratios: string[] = [];
  const finishedOnly = (r: RunResult) => r.endedBy === "count";
  const enoughCerts = (r: RunResult) => r.completed >= MIN_CERTS_FOR_COST;
  /** our ÷ their figure, round by round, over the rounds where both runs are `usable`. */
  const paired = (
    a: TargetKind,
    b: TargetKind,
    f: (r: RunResult) => number,
    usable: (r: RunResult) => boolean,
  ) => {
    const as = runs.get(a) ?? [];
    const bs = runs.get(b) ?? [];
    const values: number[] = [];
    for (let i = 0; i < Math.min(as.length, bs.length); i++) {
      const x = as[i];
      const y = bs[i];
      if (x && y && usable(x) && usable(y)) values.push(f(x) / f(y));
    }
    return values;
  };

  // Against Pebble; and against the skeleton: what our model (storage, policy, records,
  // events) costs above the least Node itself costs for the same flow.
  const comparisons = [
    ["pebble", ["bare", "bare-http", "express", "skeleton"]],
    ["pebble-challenge", ["bare", "bare-http", "express", "skeleton"]],
    ["skeleton", ["bare", "bare-http", "express"]],
  ] as const;
  for (const [reference, oursKinds] of comparisons) {
    if (!runs.has(reference)) continue;
    for (const ours of oursKinds) {
      if (!runs.has(ours)) continue;
      const cpu = paired(ours, reference, cpuMsPerCert, enoughCerts);
      const rate = paired(ours, reference, certsPerS, finishedOnly);
      const p99 = paired(ours, reference, (r) => percentile(r.latenciesMs, 99), finishedOnly);
      ratios.push(`| ${ours} ÷ ${reference} | ${spread(cpu, 2)} | ${spread(rate, 2)} | ${spread(p99, 2)} |`);
    }
  }
  if (ratios.length > 0) {
    console.log(
      "\n| ratio, per round | server CPU per cert | certs/s | p99 latency |\n| --- | ---: | ---: | ---: |",
    );
    for (const line of ratios) console.log(line);
  }
  if (micro !== undefined) {
    console.log(
      "\n| ours vs the crypto floor | server CPU per cert ÷ floor | floor share of server CPU |\n| --- | ---: | ---: |",
    );
    for (const ours of ["bare", "bare-http", "express", "skeleton"] as const) {
      const ok = (runs.get(ours) ?? []).filter((r): r is RunResult => r !== undefined && enoughCerts(r));
      if (ok.length === 0) continue;
      const x = ok.map((r) => (cpuMsPerCert(r) * 1000) / micro.floorUs);
      console.log(`| ${ours} | ${spread(x, 2)}× | ${(100 / median(x)).toFixed(0)} % |`);
    }
  }
}

/** The flat-cost check: server CPU per certificate and RSS, window by window (≤ 20 rows shown). */
export function printLongRun(r: RunResult): void {
  console.log("\n## Long run: server CPU per certificate by window, and RSS\n");
  console.log(
    "| certificates | wall s | window CPU ms/cert | window certs/s | RSS MiB |\n| ---: | ---: | ---: | ---: | ---: |",
  );
  const windows = r.samples.map((s, i) => {
    const before = r.samples[i - 1] ?? { certificates: 0, wallS: 0, cpuS: 0 };
    const n = s.certificates - before.certificates;
    return {
      ...s,
      cpuMsPerCert: (1000 * (s.cpuS - before.cpuS)) / n,
      certsPerS: n / (s.wallS - before.wallS),
    };
  });
  const every = Math.max(1, Math.ceil(windows.length / 20));
  windows.forEach((w, i) => {
    if (i % every !== 0 && i !== windows.length - 1) return;
    console.log(
      `| ${w.certificates.toLocaleString("en")} | ${w.wallS.toFixed(0)} | ${w.cpuMsPerCert.toFixed(2)} | ` +
        `${w.certsPerS.toFixed(0)} | ${w.rssMiB.toFixed(0)} |`,
    );
  });
  const first = windows[0];
  const last = windows.at(-1);
  // Windows are noisy one by one on a shared machine: compare the first and last tenths too.
  const tenth = Math.max(1, Math.floor(windows.length / 10));
  const avg = (ws: typeof windows) => ws.reduce((a, w) => a + w.cpuMsPerCert, 0) / ws.length;
  if (first !== undefined && last !== undefined) {
    console.log(
      `\nflat cost: window ending at ${last.certificates.toLocaleString("en")} costs ${last.cpuMsPerCert.toFixed(2)} ms/cert vs ` +
        `${first.cpuMsPerCert.toFixed(2)} at ${first.certificates.toLocaleString("en")} (×${(last.cpuMsPerCert / first.cpuMsPerCert).toFixed(2)}); ` +
        `last tenth ${avg(windows.slice(-tenth)).toFixed(2)} vs first tenth ${avg(windows.slice(0, tenth)).toFixed(2)} ms/cert ` +
        `(×${(avg(windows.slice(-tenth)) / avg(windows.slice(0, tenth))).toFixed(2)}); RSS ${first.rssMiB.toFixed(0)} → ${last.rssMiB.toFixed(0)} MiB`,
    );
  }
}
