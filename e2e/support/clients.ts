import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explain, type RunResult, run, saveArtifact } from "./run.js";
import type { ExampleServer } from "./server.js";
import { freePort } from "./tools.js";

/** Every client invocation is bounded by this. */
export const CLIENT_TIMEOUT_MS = 60_000;

export interface ClientRun {
  readonly result: RunResult;
  /** stdout + stderr + (certbot) the debug log: where to look for ACME error types. */
  readonly output: string;
  /** Command, outcome, output, client log and server stderr: for assertion messages. */
  readonly report: string;
  readonly ok: boolean;
}

/** Temp dirs of one test file; removed in afterAll. */
export class Scratch {
  private readonly dirs: string[] = [];
  async dir(prefix: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `acme-e2e-${prefix}-`));
    this.dirs.push(dir);
    return dir;
  }
  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

function finish(
  suite: string,
  label: string,
  result: RunResult,
  server: ExampleServer,
  log?: string,
): ClientRun {
  const extra: Record<string, string> = {};
  if (log !== undefined) extra["certbot log (letsencrypt.log)"] = log;
  extra["example server stderr"] = server.stderr() || "(empty)";
  const report = `[${label}]\n${explain(result, extra)}`;
  // The artifact keeps far more of the log than assertion messages do.
  saveArtifact(suite, label, `[${label}]\n${explain(result, extra, 200_000)}`);
  return {
    result,
    output: `${result.stdout}\n${result.stderr}\n${log ?? ""}`,
    report,
    ok: result.code === 0 && !result.timedOut,
  };
}

// ---------------------------------------------------------------------------------------------
// certbot

export interface CertbotDirs {
  readonly root: string;
  readonly configDir: string;
  readonly workDir: string;
  readonly logsDir: string;
}

export async function certbotDirs(scratch: Scratch): Promise<CertbotDirs> {
  const root = await scratch.dir("certbot");
  return { root, configDir: join(root, "config"), workDir: join(root, "work"), logsDir: join(root, "logs") };
}

/**
 * `certbot <args>` against the server: trusts its TLS CA via REQUESTS_CA_BUNDLE, keeps all
 * state in `dirs`, never prompts.
 */
export async function certbot(
  suite: string,
  label: string,
  server: ExampleServer,
  dirs: CertbotDirs,
  args: readonly string[],
): Promise<ClientRun> {
  // certbot 2.1 appends every run to the same letsencrypt.log: keep only this run's part.
  const logFile = join(dirs.logsDir, "letsencrypt.log");
  const logBefore = existsSync(logFile) ? statSync(logFile).size : 0;
  const result = await run(
    "certbot",
    [
      ...args,
      "--non-interactive",
      "--server",
      server.directoryUrl,
      "--config-dir",
      dirs.configDir,
      "--work-dir",
      dirs.workDir,
      "--logs-dir",
      dirs.logsDir,
    ],
    { env: { REQUESTS_CA_BUNDLE: server.tlsCaFile }, timeoutMs: CLIENT_TIMEOUT_MS },
  );
  let log = "(no letsencrypt.log)";
  if (existsSync(logFile)) {
    const bytes = readFileSync(logFile);
    // A smaller file than before means certbot rotated it: then all of it is this run's.
    log = (bytes.length >= logBefore ? bytes.subarray(logBefore) : bytes).toString("utf8");
  }
  return finish(suite, label, result, server, log);
}

/**
 * `certbot certonly` for pre-approved names. The manual authenticator with a no-op hook is
 * never exercised: the server hands out already-valid authorizations.
 */
export function certbotCertonly(
  suite: string,
  label: string,
  server: ExampleServer,
  dirs: CertbotDirs,
  names: readonly string[],
  extra: readonly string[],
): Promise<ClientRun> {
  return certbot(suite, label, server, dirs, [
    "certonly",
    "--agree-tos",
    "--manual",
    "--manual-auth-hook",
    "/bin/true",
    ...names.flatMap((n) => ["-d", n]),
    ...extra,
  ]);
}

/** certbot's `live/<first name>/` directory. */
export function certbotLive(
  dirs: CertbotDirs,
  name: string,
): { fullchain: string; cert: string; privkey: string } {
  const dir = join(dirs.configDir, "live", name);
  return {
    fullchain: join(dir, "fullchain.pem"),
    cert: join(dir, "cert.pem"),
    privkey: join(dir, "privkey.pem"),
  };
}

// ---------------------------------------------------------------------------------------------
// lego

/**
 * `lego <global flags> <command> <command flags>` against the server: trusts its TLS CA via
 * LEGO_CA_CERTIFICATES, keeps state in `path`, HTTP-01 solver on a loopback port that is never
 * bound (authorizations are pre-approved).
 */
export async function lego(
  suite: string,
  label: string,
  server: ExampleServer,
  path: string,
  globalFlags: readonly string[],
  command: "run" | "renew" | "revoke",
  commandFlags: readonly string[] = [],
): Promise<ClientRun> {
  const port = await freePort();
  const result = await run(
    "lego",
    [
      "--server",
      server.directoryUrl,
      "--accept-tos",
      "--path",
      path,
      "--http",
      "--http.port",
      `127.0.0.1:${port}`,
      ...globalFlags,
      command,
      ...commandFlags,
    ],
    { env: { LEGO_CA_CERTIFICATES: server.tlsCaFile }, timeoutMs: CLIENT_TIMEOUT_MS },
  );
  return finish(suite, label, result, server);
}

/** lego's `certificates/<domain>.crt` (leaf + issuer bundle) and `.key`. */
export function legoFiles(path: string, domain: string): { crt: string; key: string } {
  const base = join(path, "certificates", domain.replace("*", "_"));
  return { crt: `${base}.crt`, key: `${base}.key` };
}
