import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { E2E_DIR, REPO_ROOT, stopChild, tail, track } from "./run.js";

const EXIT_WITH_PARENT = pathToFileURL(join(E2E_DIR, "support", "exit-with-parent.ts")).href;

export interface ExampleServerSettings {
  /** Pre-approved domains (default: example.test). */
  readonly domains?: readonly string[];
  readonly contact?: "REQUIRED" | "NOT_REQUIRED";
  /** e.g. ["EC_prime256v1"]; default: no enforcement. */
  readonly keyAlgorithms?: readonly string[];
  /** How long to wait for the ready line; default 30 s. */
  readonly startTimeoutMs?: number;
  /**
   * Start on this data dir (e.g. the one of a server that was killed) instead of a fresh temp
   * dir; the caller owns it: `stop()` and `kill()` leave it in place.
   */
  readonly dataDir?: string;
  /** More flags for the server, e.g. ["--processing-timeout-ms", "1000"]. */
  readonly args?: readonly string[];
}

export interface ExampleServer {
  readonly directoryUrl: string;
  readonly tlsCaFile: string;
  readonly endpointId: string;
  readonly dataDir: string;
  /** The command line it was started with. */
  readonly commandLine: string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** SIGTERM (SIGKILL after 5 s), then removes the data dir (unless given in the settings). Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would, and waits for the process to be gone; the data dir stays. */
  kill(): Promise<void>;
  /** The server's process id (to freeze it with SIGSTOP, say). */
  readonly pid: number | undefined;
  /** The admin API (`/admin`) and its bearer token, from the ready line. */
  readonly adminUrl?: string;
  readonly adminToken?: string;
  /** With `--eab`: the credential created for the default endpoint, from the ready line. */
  readonly eab?: { readonly keyId: string; readonly hmacKey: string };
}

interface ReadyLine {
  directoryUrl: string;
  tlsCaFile: string;
  endpointId: string;
  adminUrl?: string;
  adminToken?: string;
  eab?: { keyId: string; hmacKey: string };
}

function parseReadyLine(line: string): ReadyLine | undefined {
  try {
    const value = JSON.parse(line) as Partial<ReadyLine>;
    if (typeof value.directoryUrl === "string" && typeof value.tlsCaFile === "string") {
      const eab = value.eab;
      return {
        directoryUrl: value.directoryUrl,
        tlsCaFile: value.tlsCaFile,
        endpointId: String(value.endpointId),
        ...(typeof value.adminUrl === "string" ? { adminUrl: value.adminUrl } : {}),
        ...(typeof value.adminToken === "string" ? { adminToken: value.adminToken } : {}),
        ...(typeof eab?.keyId === "string" && typeof eab.hmacKey === "string"
          ? { eab: { keyId: eab.keyId, hmacKey: eab.hmacKey } }
          : {}),
      };
    }
  } catch {
    // not the ready line
  }
  return undefined;
}

/**
 * Starts examples/server/main.ts as a child process on 127.0.0.1 with a free port and a fresh
 * data dir under the OS temp dir, and resolves once it printed its `--json` ready line.
 */
export async function startExampleServer(settings: ExampleServerSettings = {}): Promise<ExampleServer> {
  const ownsDataDir = settings.dataDir === undefined;
  const dataDir = settings.dataDir ?? (await mkdtemp(join(tmpdir(), "acme-e2e-server-")));
  const args = [
    "--conditions=source",
    "--import",
    "tsx",
    "--import",
    EXIT_WITH_PARENT,
    "examples/server/main.ts",
    "--json",
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    "--data-dir",
    dataDir,
    ...(settings.domains ?? ["example.test"]).flatMap((d) => ["--domain", d]),
    ...(settings.contact ? ["--contact", settings.contact] : []),
    ...(settings.keyAlgorithms?.length ? ["--key-algorithms", settings.keyAlgorithms.join(",")] : []),
    ...(settings.args ?? []),
  ];
  const commandLine = `node ${args.join(" ")}`;
  // The server reads ACME_* twins of its flags: keep the caller's environment out of it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ACME_")));
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env,
    // stdin is a pipe only so that the server notices when this process is gone.
    stdio: ["pipe", "pipe", "pipe"],
  });
  track(child);
  let stdout = "";
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });

  const gone = new Promise<void>((done) => child.once("exit", () => done()));
  const running = () => child.exitCode === null && child.signalCode === null;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (running()) {
        stopChild(child, "SIGTERM");
        const timer = setTimeout(() => stopChild(child, "SIGKILL"), 5_000);
        await gone;
        clearTimeout(timer);
      }
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const kill = async (): Promise<void> => {
    if (running()) stopChild(child, "SIGKILL");
    await gone;
  };

  const timeoutMs = settings.startTimeoutMs ?? 30_000;
  try {
    const ready = await new Promise<ReadyLine>((resolve, reject) => {
      const failure = (why: string) =>
        new Error(
          `example server did not start: ${why}\n$ ${commandLine}\n--- server stdout ---\n${tail(stdout)}\n--- server stderr ---\n${tail(stderr)}`,
        );
      const timer = setTimeout(() => reject(failure(`no ready line within ${timeoutMs} ms`)), timeoutMs);
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        for (const line of stdout.split("\n")) {
          const parsed = parseReadyLine(line.trim());
          if (parsed) {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(failure(`spawn error ${error.message}`));
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(failure(`it exited early with ${code === null ? `signal ${signal}` : `code ${code}`}`));
      });
    });
    return { ...ready, dataDir, commandLine, stderr: () => stderr, stop, kill, pid: child.pid };
  } catch (error) {
    await stop();
    throw error;
  }
}
