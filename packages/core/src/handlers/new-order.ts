import { err, ok, type Result } from "neverthrow";
import type { RequestContext } from "../context.js";
import { newId, newToken } from "../domain/ids.js";
import type { Authorization, DomainValidation, Identifier, Order } from "../domain/types.js";
import { emitFrom } from "../events/emit.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { orderView } from "../http/views.js";
import { isoString } from "../iso-time.js";
import { authenticateRequest } from "../jws/authenticate.js";
import { combine, validateOrderIdentifiers } from "../policy/identifiers.js";
import { findCoveringDomain } from "../policy/pre-approved.js";
import { isLimited, takeRateLimit } from "../policy/rate-limits.js";
import type { StorageError } from "../ports/storage.js";
import { type AcmeProblem, problem, type Subproblem } from "../problems.js";
import { attempt } from "../result.js";

/**
 * RFC 8555 §7.4 newOrder under the seed's PRE_APPROVED authorization behaviour: every
 * identifier must be covered by a validated domain of the endpoint, its authorization is
 * created already `valid`, and the order is `ready` at once. Uncovered identifiers reject the
 * whole order with `rejectedIdentifier`, one subproblem each.
 */
export async function newOrder(ctx: RequestContext): Promise<Result<AcmeReply, AcmeProblem>> {
  const { deps, endpoint } = ctx;
  const authenticated = await authenticateRequest(ctx, "kid");
  if (authenticated.isErr()) return err(authenticated.error);
  const { account, payload } = authenticated.value;
  if (account === undefined || payload === undefined) {
    return err(problem("malformed", "newOrder needs a JSON object payload with `identifiers`."));
  }
  const validated = validateOrderIdentifiers(payload.identifiers, deps.settings.maxIdentifiersPerOrder);
  if (validated.isErr()) return err(validated.error);
  const identifiers = validated.value;
  const now = deps.clock.now();
  const validity = requestedValidity(payload, now, deps.settings.maxCertificateValidityMs);
  if (validity.isErr()) return err(validity.error);
  const domains = await deps.storage.domainValidations.listByEndpoint(endpoint.id);
  if (domains.isErr()) return err(storageProblem(ctx, "loading domain validations")(domains.error));
  const covered = coverAll(identifiers, domains.value);
  if (covered.isErr()) return err(covered.error);
  const covering = covered.value;
  // RFC 8555 §6.6: an order that would be created counts, before it is stored.
  if (isLimited(ctx, "newOrdersPerAccount")) {
    const allowed = await takeRateLimit(ctx, "newOrdersPerAccount", account.id);
    if (allowed.isErr()) return err(allowed.error);
  }

  const expires = isoString(new Date(now.getTime() + deps.settings.orderLifetimeMs));
  const authzExpires = isoString(new Date(now.getTime() + deps.settings.authorizationLifetimeMs));
  const createdAt = isoString(now);
  // One pass makes each authorization and collects its id for the order.
  const authorizations: Authorization[] = [];
  const authorizationIds: string[] = [];
  for (let i = 0; i < identifiers.length; i++) {
    const identifier = identifiers[i] as Identifier;
    const domain = covering[i] as DomainValidation;
    const wildcard = identifier.value.startsWith("*.");
    const id = newId();
    authorizationIds.push(id);
    authorizations.push({
      id,
      endpointId: endpoint.id,
      accountId: account.id,
      // RFC 8555 §7.1.4: a wildcard's authorization names the base domain, with wildcard: true.
      identifier: wildcard ? { type: "dns", value: identifier.value.slice(2) } : identifier,
      wildcard,
      status: "valid",
      expires: authzExpires,
      // The domain was proven to the operator out of band (DNS record or by hand): shown as
      // the dns-01 challenge that holds, valid since the domain's validation.
      challenges: [
        {
          id: newId(),
          type: "dns-01",
          status: "valid",
          token: newToken(),
          validated: domain.validatedAt ?? domain.createdAt,
        },
      ],
      domainValidationId: domain.id,
      createdAt,
      version: 1,
    });
  }
  // Members in the order the spread of the requested validity gave, without the spread
  // (members added to a literal after a spread take a slow path in V8).
  const draft: { -readonly [K in keyof Order]?: Order[K] } = {
    id: newId(),
    endpointId: endpoint.id,
    accountId: account.id,
    status: "ready",
    identifiers,
    authorizationIds,
  };
  const { notBefore, notAfter } = validity.value;
  if (notBefore !== undefined) draft.notBefore = notBefore;
  if (notAfter !== undefined) draft.notAfter = notAfter;
  draft.expires = expires;
  draft.createdAt = createdAt;
  draft.version = 1;
  const order = draft as Order;
  const stored = await deps.storage.transaction((tx) =>
    attempt<Order, StorageError>(async () => {
      for (const a of authorizations) {
        const inserted = await tx.authorizations.insert(a);
        if (inserted.isErr()) return err(inserted.error);
      }
      return tx.orders.insert(order);
    }),
  );
  if (stored.isErr()) return err(storageProblem(ctx, "creating the order")(stored.error));
  emitFrom(ctx, { type: "order.created", accountId: account.id, orderId: order.id, identifiers });
  return ok(
    json(201, orderView(deps.links, stored.value), { location: deps.links.order(endpoint.id, order.id) }),
  );
}

function coverAll(
  identifiers: readonly Identifier[],
  domains: readonly DomainValidation[],
): Result<(DomainValidation | undefined)[], AcmeProblem> {
  const covering: (DomainValidation | undefined)[] = [];
  // Made only when an identifier is not covered.
  let subproblems: Subproblem[] | undefined;
  for (const identifier of identifiers) {
    const domain = findCoveringDomain(identifier, domains);
    covering.push(domain);
    if (domain !== undefined) continue;
    subproblems ??= [];
    subproblems.push({
      type: "rejectedIdentifier",
      detail: `${identifier.value} is not covered by a validated domain of this endpoint; ask its operator to add the domain${identifier.value.startsWith("*.") ? " with wildcards allowed" : ""}.`,
      identifier,
    });
  }
  return subproblems !== undefined ? err(combine(subproblems)) : ok(covering);
}

/** The CA's default validity: nothing asked. Shared (a Result is immutable; frozen, as every caller gets it). */
const DEFAULT_VALIDITY: Result<{ notBefore?: string; notAfter?: string }, AcmeProblem> = Object.freeze(
  ok(Object.freeze({})),
);

/**
 * RFC 8555 §7.4: notBefore/notAfter are honoured when they are RFC 3339 dates, notAfter is in
 * the future and after notBefore, and the span is within the server's maximum validity;
 * otherwise the order is refused with a detail saying which.
 */
function requestedValidity(
  payload: Record<string, unknown>,
  now: Date,
  maxValidityMs: number,
): Result<{ notBefore?: string; notAfter?: string }, AcmeProblem> {
  // Most orders ask for neither: no parsing, no closures.
  if (payload.notBefore === undefined && payload.notAfter === undefined) return DEFAULT_VALIDITY;
  const parse = (field: "notBefore" | "notAfter"): Result<Date | undefined, AcmeProblem> => {
    const value = payload[field];
    if (value === undefined) return ok(undefined);
    const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
    if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(date.getTime())) {
      return err(problem("malformed", `\`${field}\` must be an RFC 3339 date-time string.`));
    }
    return ok(date);
  };
  return parse("notBefore").andThen((notBefore) =>
    parse("notAfter").andThen((notAfter) => {
      const start = notBefore ?? now;
      if (notAfter !== undefined && notAfter.getTime() <= now.getTime()) {
        return err(problem("malformed", "`notAfter` is in the past."));
      }
      if (notAfter !== undefined && notAfter.getTime() <= start.getTime()) {
        return err(problem("malformed", "`notAfter` must be after `notBefore`."));
      }
      if (notBefore !== undefined && notBefore.getTime() > now.getTime() + maxValidityMs) {
        return err(problem("malformed", "`notBefore` is too far in the future."));
      }
      // A start further back than the longest validity makes a certificate that has expired
      // already (and years before 1950 have no X.509 Time encoding, RFC 5280 §4.1.2.5).
      if (notBefore !== undefined && notBefore.getTime() < now.getTime() - maxValidityMs) {
        return err(
          problem("malformed", "`notBefore` is too far in the past: the certificate would have expired."),
        );
      }
      const end = notAfter ?? new Date(start.getTime() + maxValidityMs);
      if (end.getTime() - start.getTime() > maxValidityMs) {
        return err(
          problem(
            "malformed",
            `The requested validity is longer than this server's maximum of ${Math.round(maxValidityMs / 86_400_000)} days.`,
          ),
        );
      }
      return ok({
        ...(notBefore ? { notBefore: notBefore.toISOString() } : {}),
        ...(notAfter ? { notAfter: notAfter.toISOString() } : {}),
      });
    }),
  );
}
