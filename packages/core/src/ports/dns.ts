import { Resolver } from "node:dns/promises";
import { errAsync, okAsync, ResultAsync } from "neverthrow";

/**
 * A lookup that got no usable answer (timeout, SERVFAIL, refused, no network). It says nothing
 * about the record: callers must not treat it as "the record is gone".
 */
export interface DnsError {
  readonly type: "dnsFailure";
  readonly message: string;
  /** The resolver's error code, e.g. `ETIMEOUT`, `ESERVFAIL`. */
  readonly code?: string;
  readonly cause?: unknown;
}

/**
 * The DNS resolver port: domain validation looks up the records domain owners publish.
 * A name or record type that does not exist (NXDOMAIN, NODATA) is an answer, `ok([])`; only a
 * lookup that could not be answered is a `DnsError`. Names are given without a trailing dot.
 */
export interface DnsResolver {
  /** The CNAME targets at `name` (normally one), as the resolver gives them. */
  resolveCname(name: string): ResultAsync<string[], DnsError>;
  /** The TXT records at `name`, each as its character-strings. */
  resolveTxt(name: string): ResultAsync<string[][], DnsError>;
}

export interface NodeDnsResolverOptions {
  /** Name servers (`"1.1.1.1"`, `"[2606:4700::1111]:53"`); default: the system's. */
  readonly servers?: readonly string[];
  /** Per-try timeout; default 5 s. */
  readonly timeoutMs?: number;
  /** Tries per name server; default 2. */
  readonly tries?: number;
}

/** Codes node:dns uses for "there is no such record": answers, not failures. */
const ABSENT = new Set(["ENOTFOUND", "ENODATA"]);

/**
 * The default resolver, over `node:dns/promises`.
 *
 * @example
 * const server = createAcmeServer({ ..., dns: createNodeDnsResolver({ servers: ["9.9.9.9"] }) });
 */
export function createNodeDnsResolver(options: NodeDnsResolverOptions = {}): DnsResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 5_000, tries: options.tries ?? 2 });
  if (options.servers !== undefined) resolver.setServers([...options.servers]);
  return {
    resolveCname: (name) => lookup(name, () => resolver.resolveCname(name)),
    resolveTxt: (name) => lookup(name, () => resolver.resolveTxt(name)),
  };
}

function lookup<T>(name: string, query: () => Promise<T[]>): ResultAsync<T[], DnsError> {
  // `then` also turns a synchronous throw (a malformed name) into a rejection.
  return ResultAsync.fromPromise(Promise.resolve().then(query), (cause) => cause).orElse((cause) => {
    const code = (cause as { code?: unknown } | null)?.code;
    if (typeof code === "string" && ABSENT.has(code)) return okAsync<T[], DnsError>([]);
    return errAsync({
      type: "dnsFailure" as const,
      message: `DNS lookup of ${name} failed${typeof code === "string" ? ` (${code})` : ""}`,
      ...(typeof code === "string" ? { code } : {}),
      cause,
    });
  });
}

/** A resolver that answers from records set in memory: see `createStaticDnsResolver`. */
export interface StaticDnsResolver extends DnsResolver {
  /** Publishes (replaces) the records of one type at `name`; TXT values are single strings. */
  set(type: "CNAME" | "TXT", name: string, values: readonly string[]): void;
  /** Removes every record at `name`. */
  delete(name: string): void;
}

/**
 * A DNS resolver over records you set, never the network: for tests of domain validation
 * flows, and demos. Names are matched case-insensitively, without a trailing dot.
 *
 * @example
 * const dns = createStaticDnsResolver();
 * const server = createAcmeServer({ ..., dns });
 * const domain = (await server.domains.create({ endpointId, domainName: "example.com" }))._unsafeUnwrap();
 * dns.set("CNAME", domain.validationRecord!.name, [domain.validationRecord!.value]);
 * await server.domains.validate({ endpointId, domainValidationId: domain.id }); // SUCCESS
 */
export function createStaticDnsResolver(): StaticDnsResolver {
  const zone = new Map<string, { type: "CNAME" | "TXT"; values: readonly string[] }[]>();
  const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
  const find = (type: "CNAME" | "TXT", name: string) =>
    zone.get(key(name))?.find((r) => r.type === type)?.values ?? [];
  return {
    resolveCname: (name) => okAsync([...find("CNAME", name)]),
    resolveTxt: (name) => okAsync(find("TXT", name).map((value) => [value])),
    set: (type, name, values) => {
      const others = (zone.get(key(name)) ?? []).filter((r) => r.type !== type);
      zone.set(key(name), [...others, { type, values: [...values] }]);
    },
    delete: (name) => {
      zone.delete(key(name));
    },
  };
}
