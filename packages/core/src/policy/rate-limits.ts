import { err, ok, type Result, ResultAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import { ipFromBytes, ipToBytes } from "../crypto/ip.js";
import type { EndpointRateLimits, Identifier, RateLimitSetting } from "../domain/types.js";
import { type AcmeProblem, problem } from "../problems.js";

export type RateLimitName = keyof EndpointRateLimits;

const WHAT: Record<RateLimitName, string> = {
  newAccountsPerIp: "new accounts per IP address",
  newOrdersPerAccount: "new orders per account",
  certificatesPerDomain: "certificates per registered domain",
};

/** An allowed request's answer, shared (a Result is immutable; frozen, as every caller gets it). */
const ALLOWED: Result<void, never> = Object.freeze(ok(undefined));
/** What a request under no limit gets: settled once, shared (a ResultAsync is immutable). */
const UNLIMITED: ResultAsync<void, never> = new ResultAsync(Promise.resolve(ALLOWED));

/**
 * RFC 8555 §6.6: counts one request of `subject` (an address, an account id, a registered
 * domain) against the endpoint's `name` limit. Unset limit: always allowed, nothing counted.
 * Refused: `rateLimited` (429) with Retry-After in whole seconds, rounded up. Call it before any
 * write, so a refused request changes nothing stored. A failing limiter is logged and lets the
 * request through: a broken counter must not take the CA down with it.
 */
export function takeRateLimit(
  ctx: RequestContext,
  name: RateLimitName,
  subject: string,
): ResultAsync<void, AcmeProblem> {
  const limit = ctx.endpoint.rateLimits?.[name];
  if (limit === undefined) return UNLIMITED;
  const { deps, endpoint } = ctx;
  const now = deps.clock.now();
  // The endpoint id in the key: limits are per endpoint, never shared across tenants. One `then`
  // on the limiter's answer (not orElse + andThen: two more ResultAsyncs, one an async function).
  const decided = deps.rateLimiter
    .take(`${endpoint.id}\n${name}\n${subject}`, limit, now)
    .then<Result<void, AcmeProblem>, never>((taken) => {
      if (taken.isErr()) {
        deps.logger.error("the rate limiter failed; the request is let through", {
          endpointId: endpoint.id,
          limit: name,
          message: taken.error.message,
        });
        return ALLOWED;
      }
      return taken.value.allowed
        ? ALLOWED
        : err(rateLimitedProblem(name, subject, limit, now, taken.value.retryAfterMs));
    });
  // Promise.resolve hands back the promise `then` makes as it is (the type says PromiseLike).
  return new ResultAsync(Promise.resolve(decided));
}

/**
 * Whether the endpoint sets the `name` limit. Unset, taking it is always allowed and counts
 * nothing: a handler may skip the take (and the wait for its answer, and working out subjects).
 */
export function isLimited(ctx: RequestContext, name: RateLimitName): boolean {
  return ctx.endpoint.rateLimits?.[name] !== undefined;
}

/** Takes one for each subject in turn; the first refusal answers (earlier ones stay counted). */
export function takeRateLimits(
  ctx: RequestContext,
  name: RateLimitName,
  subjects: readonly string[],
): ResultAsync<void, AcmeProblem> {
  // Unset limit: nothing to count, whatever the subjects (no chain of one step per subject).
  if (!isLimited(ctx, name)) return UNLIMITED;
  if (subjects.length === 1) return takeRateLimit(ctx, name, subjects[0] as string);
  return subjects.reduce<ResultAsync<void, AcmeProblem>>(
    (previous, subject) => previous.andThen(() => takeRateLimit(ctx, name, subject)),
    UNLIMITED as ResultAsync<void, AcmeProblem>,
  );
}

function rateLimitedProblem(
  name: RateLimitName,
  subject: string,
  limit: RateLimitSetting,
  now: Date,
  retryAfterMs: number,
): AcmeProblem {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const at = new Date(now.getTime() + seconds * 1000).toISOString();
  const about = name === "certificatesPerDomain" ? ` (${subject})` : "";
  return problem(
    "rateLimited",
    `Rate limit reached: at most ${limit.count} ${WHAT[name]}${about} per ${duration(limit.windowMs)} at this endpoint (RFC 8555 §6.6); retry after ${at} (in ${seconds} s).`,
    { headers: { "Retry-After": String(seconds) } },
  );
}

function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "day"],
    [3_600_000, "hour"],
    [60_000, "minute"],
    [1_000, "second"],
  ];
  for (const [size, unit] of units) {
    if (ms % size === 0) return ms === size ? unit : `${ms / size} ${unit}s`;
  }
  return `${ms} ms`;
}

/**
 * The key of a client address: IPv4 as is (also when IPv4-mapped, ::ffff:192.0.2.1), IPv6 by
 * its /64 (one subscriber's network usually has a whole /64). Undefined when it is no address.
 */
export function clientAddressKey(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const bytes = ipToBytes(address.trim());
  if (bytes === undefined) return undefined;
  if (bytes.length === 4) return ipFromBytes(bytes);
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return ipFromBytes(bytes.subarray(12));
  const prefix = new Uint8Array(16);
  prefix.set(bytes.subarray(0, 8));
  return `${ipFromBytes(prefix)}/64`;
}

/**
 * An approximation of the registered domain: the last two labels (www.shop.example.com →
 * example.com). There is no public suffix list here, so names under a public suffix of two
 * labels (example.co.uk) all count against co.uk.
 */
export function registeredDomain(identifier: Identifier): string {
  let name = identifier.value.toLowerCase();
  if (name.startsWith("*.")) name = name.slice(2);
  if (name.endsWith(".")) name = name.slice(0, -1);
  // The last two labels: from after the second dot from the end (none: the whole name).
  const last = name.lastIndexOf(".");
  const before = last > 0 ? name.lastIndexOf(".", last - 1) : -1;
  return before < 0 ? name : name.slice(before + 1);
}

/** The distinct registered domains of an order's identifiers, sorted. */
export function registeredDomains(identifiers: readonly Identifier[]): string[] {
  // One identifier (most orders): no Set, no sort.
  const only = identifiers.length === 1 ? identifiers[0] : undefined;
  if (only !== undefined) return [registeredDomain(only)];
  return [...new Set(identifiers.map(registeredDomain))].sort();
}
