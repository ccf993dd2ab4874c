import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import type { Account } from "../domain/types.js";
import { emitFrom } from "../events/emit.js";
import { type AcmeReply, json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { accountView } from "../http/views.js";
import { authenticate } from "../jws/authenticate.js";
import { validateContacts } from "../policy/contact.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * RFC 8555 §7.3.2 (update: contact, termsOfServiceAgreed), §7.3.6 (deactivation:
 * `status: "deactivated"`), and POST-as-GET of the account object.
 */
export function account(ctx: RequestContext, accountId: string): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    const current = auth.account;
    if (current === undefined || current.id !== accountId) {
      return err(
        problem("unauthorized", "An account can only be read or changed with its own key (kid = this URL)."),
      );
    }
    const payload = auth.payload;
    if (payload === undefined) return ok(reply(ctx, current));
    let next: Account = current;
    if (payload.contact !== undefined) {
      const contact = yield* validateContacts(payload.contact, endpoint.contact, deps.settings.maxContacts);
      next = { ...next, contact };
    }
    if (payload.termsOfServiceAgreed !== undefined) {
      if (typeof payload.termsOfServiceAgreed !== "boolean") {
        return err(problem("malformed", "`termsOfServiceAgreed` must be a boolean."));
      }
      next = { ...next, termsOfServiceAgreed: payload.termsOfServiceAgreed || next.termsOfServiceAgreed };
    }
    if (payload.status !== undefined) {
      if (payload.status !== "deactivated") {
        return err(
          problem(
            "malformed",
            `An account's status can only be set to "deactivated", not ${JSON.stringify(payload.status)}.`,
          ),
        );
      }
      next = { ...next, status: "deactivated" };
    }
    if (next === current) return ok(reply(ctx, current));
    const stored = yield* deps.storage.accounts
      .update(next)
      .mapErr(storageProblem(ctx, "updating the account"));
    if (stored.status === "deactivated" && current.status !== "deactivated") {
      emitFrom(ctx, { type: "account.deactivated", accountId: stored.id });
    }
    return ok(reply(ctx, stored));
  });
}

function reply(ctx: RequestContext, account: Account) {
  return json(200, accountView(ctx.deps.links, account), {
    location: ctx.deps.links.account(account.endpointId, account.id),
  });
}
