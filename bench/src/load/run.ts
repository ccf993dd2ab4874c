import { setMaxListeners } from "node:events";
import { processCpuSeconds, processCpuTimes, processRssMiB } from "../targets/proc.js";
import { AcmeWorker, type Directory, FlowError } from "./acme.js";
import { type CertKey, type CertKeyType, generateCertKey } from "./csr.js";
import { HttpClient, TransportError } from "./http.js";
import { generateAccountKey } from "./jws.js";

export interface RunOptions {
  readonly directoryUrl: string;
  /** PEM root the target's TLS certificate chains to. */
  readonly ca: string;
  /** The server process, whose CPU and RSS are read from /proc. */
  readonly pid: number;
  readonly flows: number;
  readonly concurrency: number;
  /** Flows run (and not measured) after the accounts exist, so the JIT and caches are warm. */
  readonly warmup: number;
  /** The warm-up, and then the measured phase, each end by this, finished or not. */
  readonly timeLimitMs: number;
  /** With no flow completing for this long, the server counts as stalled and the run ends. */
  readonly stallMs: number;
  readonly certKey: CertKeyType;
  /** The DNS name(s) of flow `i` of worker `w`. */
  readonly names: (worker: number, flow: number) => readonly string[];
  /** Sample CPU and RSS after every this many certificates (the flat-cost check); 0 = never. */
  readonly sampleEvery?: number;
}

export interface Sample {
  readonly certificates: number;
  readonly wallS: number;
  readonly cpuS: number;
  readonly rssMiB: number;
}

export interface RunResult {
  readonly completed: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  /** The first message of each error kind, to tell what went wrong. */
  readonly errorSamples: Readonly<Record<string, string>>;
  readonly badNonceRetries: number;
  readonly wallS: number;
  readonly latenciesMs: readonly number[];
  readonly requests: number;
  readonly serverCpuS: number;
  /** The kernel's share of serverCpuS (system time). */
  readonly serverSystemS: number;
  /** The load generator's own CPU (this process) over the same phase: what bounds certs/s. */
  readonly clientCpuS: number;
  readonly rssMiB: number;
  /** "count": all flows done; "deadline": the time limit ended it; "stalled": nothing finished for stallMs. */
  readonly endedBy: "count" | "deadline" | "stalled";
  readonly caKey: string;
  readonly samples: readonly Sample[];
}

/** A small pool for RSA keys, whose generation (~100 ms each) would dwarf everything else. */
const RSA_POOL_SIZE = 16;

/**
 * Runs `flows` issuances at `concurrency` against one target and measures them: wall time,
 * per-flow latency, requests, errors by kind, and the server process's CPU seconds spent
 * between the first and the last measured flow (accounts and warm-up excluded).
 */
export async function runFlows(options: RunOptions): Promise<RunResult> {
  const http = new HttpClient({ ca: options.ca, sockets: options.concurrency, timeoutMs: 30_000 });
  const setupAbort = new AbortController();
  // Every in-flight request listens on the run's signal: one per worker, many at once.
  setMaxListeners(0, setupAbort.signal);
  const setupTimer = setTimeout(() => setupAbort.abort(), 60_000);
  try {
    const directory = await readDirectory(http, options.directoryUrl, setupAbort.signal);
    const pool =
      options.certKey === "rsa2048"
        ? Array.from({ length: RSA_POOL_SIZE }, () => generateCertKey("rsa2048"))
        : [];
    const certKey = (i: number): CertKey => pool[i % RSA_POOL_SIZE] ?? generateCertKey(options.certKey);
    const workers = await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        const worker = new AcmeWorker(http, directory, generateAccountKey(), setupAbort.signal);
        await worker.register();
        return worker;
      }),
    );
    // The setup timer bounds the directory and the accounts; the warm-up has bounds of its own.
    clearTimeout(setupTimer);
    let caKey = "";
    // Warm-up, spread over the workers; its errors end the run (the target is not working), and
    // so do a stall (no warm-up flow finishing for stallMs: Pebble 2.4's deadlock) and the
    // run's time limit, each said as such.
    let warmed = 0;
    let ended: string | undefined;
    const end = (why: string) => {
      ended ??= why;
      setupAbort.abort();
    };
    const watch = watchStalls(options.stallMs, () =>
      end(`stalled in warm-up: no flow finished for ${options.stallMs / 1000} s`),
    );
    const deadline = setTimeout(
      () => end(`warm-up not done within the time limit of ${options.timeLimitMs / 1000} s`),
      options.timeLimitMs,
    );
    try {
      await Promise.all(
        workers.map(async (worker, w) => {
          while (warmed < options.warmup) {
            const i = warmed++;
            const described = await worker.issue(options.names(w, -1 - i), certKey(i), i === 0);
            watch.progress();
            if (i === 0) caKey = described;
          }
        }),
      );
    } catch (error) {
      if (ended === undefined) throw error;
      throw new Error(`${ended}, at ${warmed} of ${options.warmup}`);
    } finally {
      watch.stop();
      clearTimeout(deadline);
    }
    return await measure(options, http, workers, certKey, caKey);
  } finally {
    clearTimeout(setupTimer);
    http.close();
  }
}

/**
 * Calls `onStall` (every half second until stopped) once no flow has reported `progress()` for
 * `stallMs`: a server that stopped answering (Pebble 2.4's deadlock) ends the phase.
 */
function watchStalls(stallMs: number, onStall: () => void): { progress(): void; stop(): void } {
  let last = performance.now();
  const timer = setInterval(() => {
    if (performance.now() - last > stallMs) onStall();
  }, 500);
  return {
    progress: () => {
      last = performance.now();
    },
    stop: () => clearInterval(timer),
  };
}

async function measure(
  options: RunOptions,
  http: HttpClient,
  workers: readonly AcmeWorker[],
  certKey: (i: number) => CertKey,
  caKey: string,
): Promise<RunResult> {
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  for (const worker of workers) worker.signal = abort.signal;
  const errors: Record<string, number> = {};
  const errorSamples: Record<string, string> = {};
  const latencies: number[] = [];
  const samples: Sample[] = [];
  let endedBy: RunResult["endedBy"] = "count";
  const deadline = setTimeout(() => {
    endedBy = "deadline";
    abort.abort();
  }, options.timeLimitMs);
  const watch = watchStalls(options.stallMs, () => {
    endedBy = "stalled";
    abort.abort();
  });

  const requests0 = http.requests;
  const times0 = processCpuTimes(options.pid);
  const cpu0 = times0.user + times0.system;
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    workers.map(async (worker, w) => {
      while (next < options.flows && !abort.signal.aborted) {
        const i = next++;
        const started = performance.now();
        try {
          await worker.issue(options.names(w, i), certKey(i));
          const now = performance.now();
          latencies.push(now - started);
          watch.progress();
          const every = options.sampleEvery ?? 0;
          if (every > 0 && latencies.length % every === 0) {
            samples.push({
              certificates: latencies.length,
              wallS: (now - t0) / 1000,
              cpuS: processCpuSeconds(options.pid) - cpu0,
              rssMiB: processRssMiB(options.pid),
            });
          }
        } catch (error) {
          const kind = kindOf(error);
          if (kind !== "aborted") {
            errors[kind] = (errors[kind] ?? 0) + 1;
            errorSamples[kind] ??= (error as Error).message;
          }
        }
      }
    }),
  );
  const wallS = (performance.now() - t0) / 1000;
  const times1 = processCpuTimes(options.pid);
  const serverCpuS = times1.user + times1.system - cpu0;
  const client = process.cpuUsage(client0);
  clearTimeout(deadline);
  watch.stop();
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    completed: latencies.length,
    failed,
    errors,
    errorSamples,
    badNonceRetries: workers.reduce((n, w) => n + w.badNonceRetries, 0),
    wallS,
    latenciesMs: latencies,
    requests: http.requests - requests0,
    serverCpuS,
    serverSystemS: times1.system - times0.system,
    clientCpuS: (client.user + client.system) / 1e6,
    rssMiB: processRssMiB(options.pid),
    endedBy,
    caKey,
    samples,
  };
}

async function readDirectory(http: HttpClient, url: string, signal: AbortSignal): Promise<Directory> {
  // A server may say it listens a moment before it accepts (Pebble does): retry refusals, briefly.
  let answer: Awaited<ReturnType<HttpClient["send"]>> | undefined;
  for (let attempt = 0; answer === undefined; attempt++) {
    try {
      answer = await http.send("GET", url, undefined, signal);
    } catch (error) {
      if (!(error instanceof TransportError && error.code === "ECONNREFUSED" && attempt < 50)) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (answer.status !== 200) throw new Error(`directory ${url} answered ${answer.status}`);
  return JSON.parse(answer.body.toString("utf8")) as Directory;
}

function kindOf(error: unknown): string {
  if (error instanceof FlowError) return error.kind;
  if (error instanceof TransportError) return error.code;
  const e = error as NodeJS.ErrnoException;
  return `exception:${e.code ?? e.name}`;
}
