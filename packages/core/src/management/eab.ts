import { randomBytes } from "node:crypto";
import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import { newId } from "../domain/ids.js";
import type { ExternalAccountKey, Tag } from "../domain/types.js";
import { emit } from "../events/emit.js";
import { requireNotDeleting } from "./endpoint-status.js";
import { fromStorage, type ManagementError, notFound, validationError } from "./errors.js";
import { load } from "./load.js";
import { isRecord, knownFields, validateTags } from "./validate.js";

export interface CreateExternalAccountKeyInput {
  readonly endpointId: string;
  /** ISO 8601 date-time in the future; after it, the key binds no new account. Default: never. */
  readonly expiresAt?: string;
  readonly tags?: readonly Tag[];
}

export interface ExternalAccountKeyRef {
  readonly endpointId: string;
  readonly keyId: string;
}

/** An external account key as `list` and `revoke` show it: never with its HMAC key. */
export type ExternalAccountKeyDescription = Omit<ExternalAccountKey, "hmacKey">;

/** What `create` answers, once: the only time the HMAC key is shown. */
export interface ExternalAccountKeyCredentials extends ExternalAccountKeyDescription {
  /** 256 random bits, base64url: what ACME clients take as `--eab-hmac-key` / `--hmac`. */
  readonly hmacKey: string;
}

/** RFC 8555 §7.3.4 external account binding credentials of an endpoint. */
export interface ExternalAccountKeysApi {
  /**
   * Makes a key id and HMAC key an ACME client binds its account with. Hand both to the
   * account holder now: no other call shows the HMAC key again.
   */
  create(input: CreateExternalAccountKeyInput): ResultAsync<ExternalAccountKeyCredentials, ManagementError>;
  list(input: {
    readonly endpointId: string;
  }): ResultAsync<readonly ExternalAccountKeyDescription[], ManagementError>;
  /**
   * REVOKED: the key binds no new account; accounts it bound keep working. Revoking a revoked
   * key answers it unchanged.
   */
  revoke(input: ExternalAccountKeyRef): ResultAsync<ExternalAccountKeyDescription, ManagementError>;
}

/** A revoke retries this often when a concurrent use of the key (lastUsedAt) bumped its version. */
const REVOKE_ATTEMPTS = 3;

export function externalAccountKeysApi(deps: Deps): ExternalAccountKeysApi {
  const revokeOnce = ({ endpointId, keyId }: ExternalAccountKeyRef) =>
    safeTry(async function* () {
      const endpoint = yield* requireNotDeleting(yield* load(deps, endpointId));
      const key = yield* deps.storage.externalAccountKeys
        .get(endpoint.id, keyId)
        .mapErr(fromStorage("loading the external account key"));
      if (key === undefined)
        return err(notFound(`No external account key ${keyId} in endpoint ${endpointId}.`));
      if (key.status === "REVOKED") return ok(key);
      const revokedAt = deps.clock.now().toISOString();
      const revoked = yield* deps.storage.externalAccountKeys.update({
        ...key,
        status: "REVOKED",
        revokedAt,
      });
      emit(deps, { type: "externalAccountKey.revoked", endpointId, keyId });
      return ok(revoked);
    });

  return {
    create: (input) =>
      safeTry(async function* () {
        if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
        yield* knownFields(input, ["endpointId", "expiresAt", "tags"]);
        const expiresAt = yield* validateExpiresAt(input.expiresAt, deps.clock.now());
        const tags = yield* validateTags("tags", input.tags);
        const endpoint = yield* requireNotDeleting(yield* load(deps, input.endpointId));
        const key = yield* deps.storage.externalAccountKeys
          .insert({
            keyId: credentialValue(() => newId()),
            endpointId: endpoint.id,
            hmacKey: credentialValue(() => randomBytes(32).toString("base64url")),
            status: "ACTIVE",
            ...(expiresAt === undefined ? {} : { expiresAt }),
            tags,
            createdAt: deps.clock.now().toISOString(),
            version: 1,
          })
          .mapErr(fromStorage("creating the external account key"));
        emit(deps, { type: "externalAccountKey.created", endpointId: endpoint.id, keyId: key.keyId });
        return ok(key);
      }),

    list: ({ endpointId }) =>
      load(deps, endpointId).andThen((endpoint) =>
        deps.storage.externalAccountKeys
          .listByEndpoint(endpoint.id)
          .mapErr(fromStorage("listing external account keys"))
          .map((keys) => keys.map(withoutSecret)),
      ),

    revoke: (ref) => {
      const attempt = (n: number): ResultAsync<ExternalAccountKey, ManagementError> =>
        revokeOnce(ref).orElse((e) => {
          if (!("type" in e)) return err(e);
          // Lost a version race to a concurrent use of the key: revoking again is still right.
          if (e.type === "conflict" && n < REVOKE_ATTEMPTS) return attempt(n + 1);
          return err(fromStorage("revoking the external account key")(e));
        });
      return attempt(1).map(withoutSecret);
    },
  };
}

/** Strips the HMAC key: list and revoke answers end up in logs and UIs. */
function withoutSecret(key: ExternalAccountKey): ExternalAccountKeyDescription {
  const { hmacKey: _secret, ...rest } = key;
  return rest;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function validateExpiresAt(value: unknown, now: Date): Result<string | undefined, ManagementError> {
  if (value === undefined) return ok(undefined);
  const time = typeof value === "string" && ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    return err(
      validationError(
        "expiresAt",
        `expiresAt must be an ISO 8601 date-time with a time zone, e.g. "2030-01-01T00:00:00Z"; got ${JSON.stringify(value)}.`,
      ),
    );
  }
  if (time <= now.getTime())
    return err(validationError("expiresAt", `expiresAt must be in the future; ${value} is not.`));
  return ok(new Date(time).toISOString());
}

/**
 * A key id or HMAC key that does not start with "-": pasted after a client flag
 * (`certbot --eab-kid -x…`), such a value is read as another flag. Base64url starts with "-"
 * one time in 64; drawing again keeps the values uniform over the rest.
 */
function credentialValue(draw: () => string): string {
  for (;;) {
    const value = draw();
    if (!value.startsWith("-")) return value;
  }
}
