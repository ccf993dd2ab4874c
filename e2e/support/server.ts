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
  /** SIGTERM (SIGKILL after 5 s), then removes the data dir. Idempotent. */
  stop(): Promise<void>;
}

interface ReadyLine {
  directoryUrl: string;
  tlsCaFile: string;
  endpointId: string;
}

function parseReadyLine(line: string): ReadyLine | undefined {
  try {
    const value = JSON.parse(line) as Partial<ReadyLine>;
    if (typeof value.directoryUrl === "string" && typeof value.tlsCaFile === "string") {
      return {
        directoryUrl: value.directoryUrl,
        tlsCaFile: value.tlsCaFile,
        endpointId: String(value.endpointId),
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
  const dataDir = await mkdtemp(join(tmpdir(), "acme-e2e-server-"));
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

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((done) => child.once("exit", () => done()));
        stopChild(child, "SIGTERM");
        const timer = setTimeout(() => stopChild(child, "SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    })();
    return stopped;
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
    return { ...ready, dataDir, commandLine, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
