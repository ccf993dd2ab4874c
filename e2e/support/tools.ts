import { accessSync, constants } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";

/** CI must run every e2e test: a missing client there is a failure, never a skip. */
export const IN_CI = !!process.env.CI && process.env.CI !== "false" && process.env.CI !== "0";

export interface ExternalTool {
  readonly name: string;
  /** Absolute path of the binary, if it is on PATH. */
  readonly path: string | undefined;
  /** True only outside CI when the binary is missing: pass to `it.skipIf`. */
  readonly skip: boolean;
  readonly installHint: string;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function findTool(name: string, installHint: string): ExternalTool {
  const path = which(name);
  const skip = path === undefined && !IN_CI;
  if (skip) {
    console.warn(
      `[e2e] ${name} not installed (${installHint}): skipping the ${name} tests. In CI this fails.`,
    );
  }
  return { name, path, skip, installHint };
}

/** Throws (failing the suite loudly) when the tool is missing; call it in beforeAll. */
export function requireTool(tool: ExternalTool): string {
  if (tool.path === undefined) {
    throw new Error(
      `${tool.name} is not installed but ${IN_CI ? "CI is set, so the e2e tests must run" : "these tests need it"}: ${tool.installHint}`,
    );
  }
  return tool.path;
}

export const certbotTool = (): ExternalTool => findTool("certbot", "apt-get install certbot");
export const legoTool = (): ExternalTool => findTool("lego", "apt-get install lego");

/**
 * A port that was free a moment ago, for the clients' HTTP-01 listener flags. The clients
 * never bind it (authorizations are pre-approved), but a real free port keeps a stray bind harmless.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
