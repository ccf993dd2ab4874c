import { err, type Result } from "neverthrow";
import type { RequestContext } from "../context.js";
import type { AcmeReply } from "../http/reply.js";
import { authenticateRequest } from "../jws/authenticate.js";
import { type AcmeProblem, problem } from "../problems.js";
import { findOwned } from "./load.js";

/**
 * RFC 8555 §7.4.2: the certificate, POST-as-GET by the account that ordered it, as
 * `application/pem-certificate-chain`: the leaf, then the intermediate.
 */
export async function certificate(
  ctx: RequestContext,
  serial: string,
): Promise<Result<AcmeReply, AcmeProblem>> {
  const { deps, endpoint } = ctx;
  const auth = await authenticateRequest(ctx, "kid");
  if (auth.isErr()) return err(auth.error);
  if (auth.value.payload !== undefined)
    return err(problem("malformed", "A certificate is downloaded with POST-as-GET (empty payload)."));
  const record = await findOwned(
    ctx,
    auth.value.account,
    "certificate",
    deps.storage.certificates.get(endpoint.id, serial),
  );
  return record.map((found) => ({
    status: 200,
    body: found.chainPem,
    contentType: "application/pem-certificate-chain",
  }));
}
