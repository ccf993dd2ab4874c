import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A server the bench started: killed by its own pid when the run is over. */
export interface ChildServer {
  readonly child: ChildProcess;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Spawns a server; `ready` sees each stdout line and answers a value once it is up. */
export function spawnServer<T>(
  command: string,
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: NodeJS.ProcessEnv; readonly timeoutMs: number },
  ready: (line: string) => T | undefined,
): Promise<{ server: ChildServer; value: T }> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server: ChildServer = { child, pid: child.pid ?? -1, stop: () => stop(child) };
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(child);
      reject(new Error(`${command} was not ready in ${options.timeoutMs} ms: ${stderr}`));
    }, options.timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const value = ready(line);
      if (value === undefined) return;
      clearTimeout(timer);
      // Keep draining stdout (a chatty server must never block on a full pipe), unread.
      lines.removeAllListeners("line");
      resolve({ server, value });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before it was ready: ${stderr}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
