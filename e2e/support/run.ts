import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** /work/main/e2e */
export const E2E_DIR = fileURLToPath(new URL("..", import.meta.url));
/** The workspace root (where examples/server/main.ts is run from). */
export const REPO_ROOT = join(E2E_DIR, "..");
/** Logs of every client run, kept for CI (gitignored). */
export const ARTIFACTS_DIR = join(E2E_DIR, ".artifacts");

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Kill the process after this long (SIGTERM, SIGKILL 5 s later); default 60 s. */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** null when the process was killed by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Remembers a child so that it is killed if the test worker exits without cleaning up.
 * Children stay in the worker's process group, so a Ctrl-C of the test run reaches them too.
 */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) stopChild(c, "SIGKILL");
    });
  }
}

export function stopChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
}

/** Runs a command to completion (no stdin), bounded by a timeout (SIGTERM, then SIGKILL); never rejects. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env = options.env ?? {};
  const started = Date.now();
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const child = spawn(command, [...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    track(child);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    let forceKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      stopChild(child, "SIGTERM");
      forceKill = setTimeout(() => stopChild(child, "SIGKILL"), 5_000);
    }, timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, extraStderr = "") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (forceKill) clearTimeout(forceKill);
      resolve({
        command,
        args,
        env,
        code,
        signal,
        timedOut,
        stdout,
        stderr: stderr + extraStderr,
        durationMs: Date.now() - started,
      });
    };
    child.once("error", (error) => finish(null, null, `\n[spawn error] ${error.message}`));
    child.once("close", (code, signal) => finish(code, signal));
  });
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

export function commandLine(result: Pick<RunResult, "command" | "args" | "env">): string {
  const env = Object.entries(result.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...env, result.command, ...result.args.map(shellQuote)].join(" ");
}

/** The last `max` characters of a (possibly long) text. */
export function tail(text: string, max = 6_000): string {
  return text.length <= max ? text : `[… ${text.length - max} characters cut …]\n${text.slice(-max)}`;
}

/**
 * A readable account of one client run, for assertion messages and artifacts: the command
 * line, how it ended, its output and any extra sections (the client's log file, the
 * server's stderr).
 */
export function explain(
  result: RunResult,
  extra: Readonly<Record<string, string>> = {},
  max = 6_000,
): string {
  const ending = result.timedOut
    ? `TIMED OUT (killed, signal ${result.signal ?? "?"})`
    : result.code === null
      ? `killed by ${result.signal ?? "?"}`
      : `exit code ${result.code}`;
  const sections = [
    `$ ${commandLine(result)}`,
    `→ ${ending} after ${result.durationMs} ms`,
    `--- stdout ---\n${tail(result.stdout, max)}`,
    `--- stderr ---\n${tail(result.stderr, max)}`,
    ...Object.entries(extra).map(([title, text]) => `--- ${title} ---\n${tail(text, max)}`),
  ];
  return sections.join("\n");
}

/** Writes `e2e/.artifacts/<suite>/<name>.log` (best effort; artifacts must not fail tests). */
export function saveArtifact(suite: string, name: string, text: string): void {
  try {
    const file = join(ARTIFACTS_DIR, suite, `${name.replace(/[^\w.-]+/g, "_")}.log`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch {
    // ignore
  }
}
