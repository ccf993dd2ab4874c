import { err, type ResultAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import type { AcmeReply } from "../http/reply.js";
import { authenticate } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { attempt } from "../result.js";
import { loadOwned } from "./load.js";

/**
 * RFC 8555 §7.4.2: the certificate, POST-as-GET by the account that ordered it, as
 * `application/pem-certificate-chain`: the leaf, then the intermediate.
 */
export function certificate(ctx: RequestContext, serial: string): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return attempt<AcmeReply, AcmeProblem>(async () => {
    const auth = await authenticate(ctx, "kid");
    if (auth.isErr()) return err(auth.error);
    if (auth.value.payload !== undefined)
      return err(problem("malformed", "A certificate is downloaded with POST-as-GET (empty payload)."));
    return loadOwned(
      ctx,
      auth.value.account,
      "certificate",
      deps.storage.certificates.get(endpoint.id, serial),
    ).map((record) => ({
      status: 200,
      body: record.chainPem,
      contentType: "application/pem-certificate-chain",
    }));
  });
}
