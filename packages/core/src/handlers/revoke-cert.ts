import { Buffer } from "node:buffer";
import { err, ok, type ResultAsync, safeTry } from "neverthrow";
import type { RequestContext } from "../context.js";
import { certificateIdentity, leafDer } from "../crypto/certificate.js";
import { spkiThumbprint } from "../crypto/csr.js";
import type { CertificateRecord } from "../domain/types.js";
import { emitFrom } from "../events/emit.js";
import type { AcmeReply } from "../http/reply.js";
import { storageProblem } from "../http/storage-problem.js";
import { type AuthenticatedRequest, authenticate } from "../jws/authenticate.js";
import { decodeBase64url } from "../jws/base64url.js";
import { findCoveringDomain } from "../policy/pre-approved.js";
import { type AcmeProblem, problem } from "../problems.js";

/** RFC 5280 §5.3.1 CRLReason codes a revocation may give (7 is unused). */
const REASONS = new Set([0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);

/**
 * RFC 8555 §7.6: revocation, signed either by an account (`kid`) that ordered the certificate or
 * is authorized for all its identifiers, or by the certificate's own key (`jwk`).
 */
export function revokeCert(ctx: RequestContext): ResultAsync<AcmeReply, AcmeProblem> {
  const { deps, endpoint } = ctx;
  return safeTry(async function* () {
    const auth = yield* authenticate(ctx, "jwkOrKid");
    const payload = auth.payload ?? {};
    const der = typeof payload.certificate === "string" ? decodeBase64url(payload.certificate) : undefined;
    if (der === undefined || der.byteLength === 0) {
      return err(
        problem("malformed", "revokeCert needs `certificate`: the DER certificate, base64url-encoded."),
      );
    }
    const reason = payload.reason;
    if (reason !== undefined && !(typeof reason === "number" && REASONS.has(reason))) {
      return err(
        problem(
          "badRevocationReason",
          `Revocation reason ${JSON.stringify(reason)} is not an RFC 5280 CRLReason code (0-6, 8-10).`,
        ),
      );
    }
    const identity = yield* certificateIdentity(der).mapErr((why) =>
      problem("malformed", `\`certificate\` is ${why}.`),
    );
    const record = yield* deps.storage.certificates
      .get(endpoint.id, identity.serial)
      .mapErr(storageProblem(ctx, "loading the certificate"));
    // The stored leaf must be byte-identical: a look-alike with the same serial proves nothing.
    if (record === undefined || !Buffer.from(leafDer(record.chainPem)).equals(der)) {
      return err(problem("malformed", "This certificate was not issued by this endpoint.", { status: 404 }));
    }
    yield* mayRevoke(ctx, auth, record);
    if (record.status === "revoked")
      return err(problem("alreadyRevoked", "The certificate is already revoked."));
    const revoked = await deps.storage.certificates.update({
      ...record,
      status: "revoked",
      revokedAt: deps.clock.now().toISOString(),
      revocationReason: typeof reason === "number" ? reason : 0,
    });
    if (revoked.isErr()) {
      if (revoked.error.type === "conflict")
        return err(problem("alreadyRevoked", "The certificate is already revoked."));
      return err(storageProblem(ctx, "revoking the certificate")(revoked.error));
    }
    emitFrom(ctx, {
      type: "certificate.revoked",
      serial: record.serial,
      reason: revoked.value.revocationReason ?? 0,
      ...(auth.account === undefined ? {} : { accountId: auth.account.id }),
    });
    return ok({ status: 200 });
  });
}

function mayRevoke(
  ctx: RequestContext,
  auth: AuthenticatedRequest,
  record: CertificateRecord,
): ResultAsync<void, AcmeProblem> {
  return safeTry(async function* () {
    if (auth.jwk !== undefined) {
      const signer = spkiThumbprint(new Uint8Array(auth.key.export({ type: "spki", format: "der" })));
      if (signer === record.publicKeyThumbprint) return ok(undefined);
      return err(
        problem(
          "unauthorized",
          "The JWS key is not this certificate's key; sign with it or with the ordering account.",
        ),
      );
    }
    if (auth.account?.id === record.accountId) return ok(undefined);
    // RFC 8555 §7.6: an account authorized for every identifier may revoke; under PRE_APPROVED
    // that is any account of the endpoint while the endpoint's domains cover them all.
    const domains = yield* ctx.deps.storage.domainValidations
      .listByEndpoint(ctx.endpoint.id)
      .mapErr(storageProblem(ctx, "loading domain validations"));
    if (record.identifiers.every((identifier) => findCoveringDomain(identifier, domains) !== undefined)) {
      return ok(undefined);
    }
    return err(
      problem(
        "unauthorized",
        "This account neither ordered the certificate nor is authorized for all its identifiers.",
      ),
    );
  });
}
