import { okAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import { json } from "../http/reply.js";

/** RFC 8555 §7.1.1: the directory, the one URL a client is configured with. */
export function directory(ctx: RequestContext) {
  const { links, settings } = ctx.deps;
  const id = ctx.endpoint.id;
  // RFC 8555 §7.1.1: tells clients to send an external account binding with newAccount.
  const meta: Record<string, unknown> = {
    externalAccountRequired: ctx.endpoint.externalAccountBinding === "REQUIRED",
  };
  const { termsOfService, website, caaIdentities } = settings.directoryMeta;
  if (termsOfService !== undefined) meta.termsOfService = termsOfService;
  if (website !== undefined) meta.website = website;
  if (caaIdentities !== undefined) meta.caaIdentities = caaIdentities;
  return okAsync(
    json(200, {
      newNonce: links.newNonce(id),
      newAccount: links.newAccount(id),
      newOrder: links.newOrder(id),
      revokeCert: links.revokeCert(id),
      keyChange: links.keyChange(id),
      meta,
    }),
  );
}
