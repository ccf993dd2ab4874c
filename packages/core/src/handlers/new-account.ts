import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { newId } from "../domain/ids.js";
import type { Account } from "../domain/types.js";
import { emitFrom } from "../events/emit.js";
import type { AcmeReply } from "../http/reply.js";
import { json } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { accountView } from "../http/views.js";
import { authenticate } from "../jws/authenticate.js";
import { validateContacts } from "../policy/contact.js";
import { verifyExternalAccountBinding } from "../policy/external-account-binding.js";
import { clientAddressKey, takeRateLimit } from "../policy/rate-limits.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * RFC 8555 §7.3: newAccount, signed with the account key (`jwk`). A key that already has an
 * account here answers 200 with its Location (§7.3.1); `onlyReturnExisting` never creates.
 */
export function newAccount(ctx: RequestContext): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "jwk");
    const payload = auth.payload;
    if (payload === undefined || auth.jwk === undefined) {
      return err(problem("malformed", "newAccount needs a JSON object payload, not POST-as-GET."));
    }
    const existing = yield* deps.storage.accounts
      .getByThumbprint(endpoint.id, auth.jwk.thumbprint)
      .mapErr(storageProblem(ctx, "looking up the account key"));
    if (existing !== undefined) return existingAccount(ctx, existing);
    if (payload.onlyReturnExisting === true) {
      return err(
        problem(
          "accountDoesNotExist",
          "No account exists at this endpoint for this key (onlyReturnExisting).",
        ),
      );
    }
    const contact = yield* validateContacts(payload.contact, endpoint.contact, deps.settings.maxContacts);
    const agreed = payload.termsOfServiceAgreed;
    if (agreed !== undefined && typeof agreed !== "boolean") {
      return err(problem("malformed", "`termsOfServiceAgreed` must be a boolean."));
    }
    const terms = deps.settings.directoryMeta.termsOfService;
    if (terms !== undefined && agreed !== true) {
      return err(
        problem("malformed", `Set termsOfServiceAgreed: true to accept the terms of service at ${terms}.`),
      );
    }
    // RFC 8555 §7.3.4: required by the endpoint, or verified whenever a client sends one.
    const binding = payload.externalAccountBinding;
    if (binding === undefined && endpoint.externalAccountBinding === "REQUIRED") {
      return err(
        problem(
          "externalAccountRequired",
          "This endpoint requires an external account binding: register with the key identifier and HMAC key from its operator (certbot --eab-kid/--eab-hmac-key, lego --eab --kid --hmac).",
        ),
      );
    }
    const boundBy =
      binding === undefined
        ? undefined
        : yield* verifyExternalAccountBinding(ctx, binding, auth.jwk.thumbprint);
    // RFC 8555 §6.6: only a request that would create an account counts (not a lookup of an
    // existing key, not a refused one), and it is counted before anything is written. Without
    // an address from the adapter the per-IP limit cannot apply.
    const address = clientAddressKey(ctx.clientAddress);
    if (address !== undefined) yield* takeRateLimit(ctx, "newAccountsPerIp", address);
    const now = deps.clock.now().toISOString();
    const account: Account = {
      id: newId(),
      endpointId: endpoint.id,
      status: "valid",
      jwk: auth.jwk.value,
      thumbprint: auth.jwk.thumbprint,
      contact,
      termsOfServiceAgreed: agreed === true,
      ...(boundBy === undefined ? {} : { externalAccountBinding: { keyId: boundBy.keyId } }),
      createdAt: now,
      version: 1,
    };
    const inserted = await deps.storage.accounts.insert(account);
    if (inserted.isErr()) {
      // Two registrations of one key raced: the other one won; answer as for an existing key.
      if (inserted.error.type !== "conflict")
        return err(storageProblem(ctx, "creating the account")(inserted.error));
      const winner = yield* deps.storage.accounts
        .getByThumbprint(endpoint.id, auth.jwk.thumbprint)
        .mapErr(storageProblem(ctx, "looking up the account key"));
      if (winner === undefined)
        return err(problem("serverInternal", "The account could not be created; retry."));
      return existingAccount(ctx, winner);
    }
    emitFrom(ctx, {
      type: "account.created",
      accountId: account.id,
      ...(boundBy === undefined ? {} : { externalAccountKeyId: boundBy.keyId }),
    });
    if (boundBy !== undefined) {
      // Bookkeeping only: losing a race on lastUsedAt changes nothing that matters.
      await deps.storage.externalAccountKeys.update({ ...boundBy, lastUsedAt: now });
    }
    return ok(
      json(201, accountView(deps.links, inserted.value), {
        location: deps.links.account(endpoint.id, account.id),
      }),
    );
  });
}

function existingAccount(ctx: RequestContext, account: Account) {
  if (account.status !== "valid") {
    return err(problem("unauthorized", `The account for this key is ${account.status} (RFC 8555 §7.3.6).`));
  }
  return ok(
    json(200, accountView(ctx.deps.links, account), {
      location: ctx.deps.links.account(account.endpointId, account.id),
    }),
  );
}
