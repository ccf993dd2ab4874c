import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createLocalCertificateAuthority } from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";
import { type ChildServer, spawnServer } from "./child.js";
import { type LoopbackTls, loopbackTls } from "./loopback-tls.js";

export type TargetKind = "bare" | "bare-http" | "express" | "pebble" | "pebble-challenge" | "skeleton";
export const TARGET_KINDS: readonly TargetKind[] = [
  "bare",
  "bare-http",
  "express",
  "pebble",
  "pebble-challenge",
  "skeleton",
];

export interface StartedTarget {
  readonly kind: TargetKind;
  readonly directoryUrl: string;
  /** PEM root of the target's TLS certificate. */
  readonly ca: string;
  readonly pid: number;
  /** Names of flow `i` of worker `w` (warm-up flows have negative `i`). */
  readonly names: (worker: number, flow: number) => readonly string[];
  stop(): Promise<void>;
}

export interface TargetOptions {
  readonly storage: "memory" | "sqlite";
  /** Write a V8 CPU profile of our server processes into this directory (node --cpu-prof). */
  readonly profileDir?: string;
  /** Extra node flags for our server processes (e.g. --max-semi-space-size=32), for tuning runs. */
  readonly nodeFlags?: readonly string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../../..");
const DOMAIN = "bench.test";
/** Our servers pre-approve bench.test and its subdomains: every flow gets its own name. */
const uniqueName = (w: number, i: number) => [`w${w}-${i < 0 ? `warm${-i}` : i}.${DOMAIN}`];
/**
 * Our servers run what the bench itself runs: the built packages (dist/, as users install them;
 * `pnpm bench` builds first), or the TypeScript sources when the bench was started with
 * `--conditions=source` (through tsx, which adds per-call overhead of its own: ~12% measured).
 */
export const RUNS_SOURCES = process.execArgv.some((a) => a === "--conditions=source" || a === "-C=source");
const nodeTs = [...(RUNS_SOURCES ? ["--conditions=source"] : []), "--import", "tsx"];

export function startTarget(kind: TargetKind, options: TargetOptions): Promise<StartedTarget> {
  switch (kind) {
    case "bare":
      return startOurs(kind, options, [join(here, "bare-server.ts"), "--storage", options.storage]);
    case "bare-http":
      return startOurs(kind, options, [join(here, "bare-server.ts"), "--storage", options.storage, "--http"]);
    case "express":
      return startOurs(kind, options, [
        join(repo, "examples/server/main.ts"),
        "--json",
        "--port",
        "0",
        "--domain",
        DOMAIN,
        ...expressStorage(options),
      ]);
    case "skeleton":
      return startOurs(kind, options, [join(here, "skeleton-server.ts")]);
    case "pebble":
    case "pebble-challenge":
      return startPebble(kind);
  }
}

/** `--storage` only if the example server has grown the flag (another engineer adds it). */
function expressStorage(options: TargetOptions): string[] {
  const help = execFileSync(process.execPath, [...nodeTs, join(repo, "examples/server/main.ts"), "--help"], {
    cwd: repo,
    encoding: "utf8",
  });
  if (help.includes("--storage")) return ["--storage", options.storage];
  if (options.storage !== "memory") throw new Error("the example server has no --storage flag yet");
  return [];
}

async function startOurs(
  kind: TargetKind,
  options: TargetOptions,
  script: readonly string[],
): Promise<StartedTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), `acme-bench-${kind}-`));
  const profile = options.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`] : [];
  profile.push(...(options.nodeFlags ?? []));
  const { server, value } = await spawnServer(
    process.execPath,
    [...profile, ...nodeTs, ...script, "--data-dir", dataDir],
    { cwd: repo, timeoutMs: 60_000 },
    (line) => {
      try {
        const parsed = JSON.parse(line) as { directoryUrl?: string; tlsCaFile?: string };
        return parsed.directoryUrl && parsed.tlsCaFile ? parsed : undefined;
      } catch {
        return undefined;
      }
    },
  );
  return started(
    kind,
    server,
    String(value.directoryUrl),
    readFileSync(String(value.tlsCaFile), "utf8"),
    uniqueName,
    dataDir,
  );
}

/**
 * Pebble (the Debian package) on loopback with a generated config: free ports, a TLS
 * certificate from a throwaway local CA. VA_ALWAYS_VALID means a challenge only needs the POST.
 * "pebble" reuses valid authorizations (AUTHZREUSE=100, one name per worker): the
 * already-valid path, like our pre-approved one. "pebble-challenge" validates every order.
 */
async function startPebble(kind: "pebble" | "pebble-challenge"): Promise<StartedTarget> {
  if (!existsSync("/usr/bin/pebble")) throw new Error("pebble is not installed (apt-get install pebble)");
  const dir = mkdtempSync(join(tmpdir(), "acme-bench-pebble-"));
  const tls = await pebbleTls();
  writeFileSync(join(dir, "cert.pem"), tls.chainPem);
  writeFileSync(join(dir, "key.pem"), tls.key);
  const [wfe, management, http01, tlsAlpn] = await freePorts(4);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${wfe}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: join(dir, "cert.pem"),
        privateKey: join(dir, "key.pem"),
        httpPort: http01,
        tlsPort: tlsAlpn,
        ocspResponderURL: "",
        externalAccountBindingRequired: false,
      },
    }),
  );
  const reuse = kind === "pebble";
  const { server } = await spawnServer(
    "/usr/bin/pebble",
    ["-config", join(dir, "config.json")],
    {
      cwd: dir,
      env: {
        PEBBLE_VA_ALWAYS_VALID: "1",
        PEBBLE_VA_NOSLEEP: "1",
        PEBBLE_WFE_NONCEREJECT: "0",
        PEBBLE_AUTHZREUSE: reuse ? "100" : "0",
      },
      timeoutMs: 20_000,
    },
    (line) => (/Listening on|ACME directory available/.test(line) ? true : undefined),
  );
  const names = reuse ? (w: number) => [`w${w}.${DOMAIN}`] : uniqueName;
  return started(kind, server, `https://127.0.0.1:${wfe}/dir`, tls.rootPem, names, dir);
}

function started(
  kind: TargetKind,
  server: ChildServer,
  directoryUrl: string,
  ca: string,
  names: StartedTarget["names"],
  dir: string,
): StartedTarget {
  return {
    kind,
    directoryUrl,
    ca,
    pid: server.pid,
    names,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let pebbleTlsOnce: Promise<LoopbackTls> | undefined;
function pebbleTls(): Promise<LoopbackTls> {
  pebbleTlsOnce ??= loopbackTls(
    createLocalCertificateAuthority({
      store: createMemoryStorage().caMaterials,
      commonNamePrefix: "bench pebble",
    }),
  );
  return pebbleTlsOnce;
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<import("node:net").Server>((ok) => {
          const s = createNetServer();
          s.listen(0, "127.0.0.1", () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}
