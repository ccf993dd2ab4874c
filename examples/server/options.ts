import { parseArgs } from "node:util";
import { type ContactPolicy, KEY_ALGORITHMS, type KeyAlgorithm } from "@acme-endpoints/core";

/**
 * The example server's flags. They are a public interface that scripts drive: keep them
 * stable, extend rather than rename. Every flag has an environment variable twin; a flag
 * given on the command line wins.
 */
export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly domains: readonly string[];
  readonly contact: ContactPolicy;
  readonly keyAlgorithms: readonly KeyAlgorithm[];
  readonly json: boolean;
  /** Where everything is kept: SQLite in `{dataDir}/acme.sqlite` (survives restarts), or memory. */
  readonly storage: StorageKind;
  /** Core `limits.processingTimeoutMs`; unset: the core's default (120 s). */
  readonly processingTimeoutMs?: number;
  /** Bearer token of the admin API; unset: one generated on first start and kept in the data dir. */
  readonly adminToken?: string;
  /** Create an external account binding credential for the default endpoint at start. */
  readonly eab: boolean;
  /** The default endpoint requires external account binding (RFC 8555 §7.3.4). */
  readonly requireEab: boolean;
  /** The default endpoint enforces the core's documented rate limits (`DEFAULT_RATE_LIMITS`). */
  readonly rateLimits: boolean;
}

export type StorageKind = "sqlite" | "memory";

export const USAGE = `Usage: pnpm start [-- options]

  --host <addr>            address to bind (env ACME_HOST, default 127.0.0.1; loopback only is wise)
  --port <n>               HTTPS port, 0 for any free one (env ACME_PORT, default 14000)
  --data-dir <dir>         where the TLS CA file and data live (env ACME_DATA_DIR, default ./.data)
  --domain <name>          pre-approved domain of the default endpoint, with its subdomains and
                           wildcards; repeatable (env ACME_DOMAINS, comma-separated,
                           default example.test)
  --contact <policy>       REQUIRED | NOT_REQUIRED (env ACME_CONTACT, default NOT_REQUIRED)
  --key-algorithms <list>  comma-separated subset of ${KEY_ALGORITHMS.join(",")}
                           (env ACME_KEY_ALGORITHMS, default: no enforcement)
  --storage <kind>         sqlite (in <data-dir>/acme.sqlite: endpoints, accounts, CA keys and
                           certificates survive restarts) | memory (forgets everything)
                           (env ACME_STORAGE, default sqlite)
  --processing-timeout-ms <n>
                           an order still processing this long after finalize began was
                           interrupted (a crash) and is made ready again
                           (env ACME_PROCESSING_TIMEOUT_MS, default 120000)
  --admin-token <token>    bearer token of the admin API at /admin (at least 16 characters;
                           env ACME_ADMIN_TOKEN; default: generated on first start, kept in
                           <data-dir>/admin-token)
  --eab                    create an external account binding credential (key id + HMAC key)
                           for the default endpoint and print it (env ACME_EAB=1)
  --require-eab            the default endpoint requires external account binding
                           (env ACME_REQUIRE_EAB=1)
  --rate-limits            the default endpoint enforces rate limits (RFC 8555 §6.6): 10 new
                           accounts per IP per 3 h, 300 new orders per account per 3 h,
                           50 certificates per registered domain per 7 days
                           (env ACME_RATE_LIMITS=1, default off)
  --json                   print one JSON line when ready:
                           {"directoryUrl":…,"tlsCaFile":…,"endpointId":…,"adminUrl":…,
                            "adminToken":…,"dashboardUrl":…,"storage":…[,"databaseFile":…][,"eab":{"keyId":…,"hmacKey":…}]}
  --help                   this text
`;

export type ParsedOptions =
  | { ok: true; options: ServerOptions }
  | { ok: false; message: string; help?: boolean };

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedOptions {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  if (values.help) return { ok: false, message: USAGE, help: true };
  const port = Number(values.port ?? env.ACME_PORT ?? 14000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return { ok: false, message: `--port must be 0-65535, not ${values.port}` };
  const contact = values.contact ?? env.ACME_CONTACT ?? "NOT_REQUIRED";
  if (contact !== "REQUIRED" && contact !== "NOT_REQUIRED") {
    return { ok: false, message: `--contact must be REQUIRED or NOT_REQUIRED, not ${contact}` };
  }
  const algorithms = list(values["key-algorithms"] ?? env.ACME_KEY_ALGORITHMS);
  const unknown = algorithms.filter((a) => !(KEY_ALGORITHMS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    return {
      ok: false,
      message: `--key-algorithms: unknown ${unknown.join(", ")}; use ${KEY_ALGORITHMS.join(", ")}`,
    };
  }
  const storage = values.storage ?? env.ACME_STORAGE ?? "sqlite";
  if (storage !== "sqlite" && storage !== "memory") {
    return { ok: false, message: `--storage must be sqlite or memory, not ${storage}` };
  }
  const processingTimeout = values["processing-timeout-ms"] ?? env.ACME_PROCESSING_TIMEOUT_MS;
  const processingTimeoutMs = processingTimeout === undefined ? undefined : Number(processingTimeout);
  if (
    processingTimeoutMs !== undefined &&
    !(Number.isInteger(processingTimeoutMs) && processingTimeoutMs > 0)
  ) {
    return {
      ok: false,
      message: `--processing-timeout-ms must be a positive whole number of ms, not ${processingTimeout}`,
    };
  }
  const adminToken = values["admin-token"] ?? env.ACME_ADMIN_TOKEN;
  if (adminToken !== undefined && adminToken.length < 16) {
    return { ok: false, message: "--admin-token must be at least 16 characters" };
  }
  const domains =
    values.domain && values.domain.length > 0 ? values.domain : list(env.ACME_DOMAINS ?? "example.test");
  return {
    ok: true,
    options: {
      host: values.host ?? env.ACME_HOST ?? "127.0.0.1",
      port,
      dataDir: values["data-dir"] ?? env.ACME_DATA_DIR ?? ".data",
      domains,
      contact,
      keyAlgorithms: algorithms as KeyAlgorithm[],
      json: values.json ?? false,
      storage,
      ...(processingTimeoutMs === undefined ? {} : { processingTimeoutMs }),
      ...(adminToken === undefined ? {} : { adminToken }),
      eab: values.eab ?? env.ACME_EAB === "1",
      requireEab: values["require-eab"] ?? env.ACME_REQUIRE_EAB === "1",
      rateLimits: values["rate-limits"] ?? env.ACME_RATE_LIMITS === "1",
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      domain: { type: "string", multiple: true },
      contact: { type: "string" },
      "key-algorithms": { type: "string" },
      json: { type: "boolean" },
      storage: { type: "string" },
      "processing-timeout-ms": { type: "string" },
      "admin-token": { type: "string" },
      eab: { type: "boolean" },
      "require-eab": { type: "boolean" },
      "rate-limits": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
