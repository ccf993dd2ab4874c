import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import type { AcmeReply } from "../http/reply.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { loadOwned } from "./load.js";

/**
 * RFC 8555 §7.4.2: the certificate, POST-as-GET by the account that ordered it, as
 * `application/pem-certificate-chain`: the leaf, then the intermediate.
 */
export function certificate(ctx: RequestContext, serial: string): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "kid");
    if (auth.payload !== undefined)
      return err(problem("malformed", "A certificate is downloaded with POST-as-GET (empty payload)."));
    const record = yield* loadOwned(
      ctx,
      auth.account,
      "certificate",
      deps.storage.certificates.get(endpoint.id, serial),
    );
    return ok({ status: 200, body: record.chainPem, contentType: "application/pem-certificate-chain" });
  });
}
