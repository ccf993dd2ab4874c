import { err, ok, type Result, safeTry } from "neverthrow";
import type {
  AuthorizationBehavior,
  ContactPolicy,
  Endpoint,
  EndpointCertificateAuthority,
  EndpointRateLimits,
  ExternalAccountBindingPolicy,
  KeyAlgorithm,
  RateLimitSetting,
  Tag,
} from "../domain/types.js";
import { KEY_ALGORITHMS } from "../policy/key-algorithm.js";
import { type ManagementError, validationError } from "./errors.js";
import { isRecord, knownFields, oneOf, validateTags } from "./validate.js";

export interface CreateEndpointInput {
  /** Stored as the endpoint's `Name` tag (seed). */
  readonly name?: string;
  /** Default PRE_APPROVED (the only behaviour so far). */
  readonly authorizationBehavior?: AuthorizationBehavior;
  /** Default NOT_REQUIRED. */
  readonly contact?: ContactPolicy;
  /** RFC 8555 §7.3.4; default NOT_REQUIRED. */
  readonly externalAccountBinding?: ExternalAccountBindingPolicy;
  readonly certificateAuthority?: EndpointCertificateAuthority;
  readonly certificateTags?: readonly Tag[];
  /**
   * RFC 8555 §6.6 rate limits; unset or `{}`: none. A limit given partly takes the rest from
   * `DEFAULT_RATE_LIMITS` (`newAccountsPerIp: {}` is that limit's default).
   */
  readonly rateLimits?: EndpointRateLimitsInput;
  readonly tags?: readonly Tag[];
  /**
   * Makes `create` safe to retry: the same token with the same input answers the endpoint it
   * created (no second one); with other input, a `Conflict`. 1–64 printable ASCII characters.
   */
  readonly idempotencyToken?: string;
}

/** The settings `update` may change; absent fields stay as they are. */
export interface UpdateEndpointInput {
  readonly endpointId: string;
  readonly authorizationBehavior?: AuthorizationBehavior;
  readonly contact?: ContactPolicy;
  readonly externalAccountBinding?: ExternalAccountBindingPolicy;
  /** Replaces the whole setting: `{}` removes key-algorithm enforcement. */
  readonly certificateAuthority?: EndpointCertificateAuthority;
  /** Replaces the tags put on certificates issued from now on. */
  readonly certificateTags?: readonly Tag[];
  /** Replaces the whole setting: `{}` removes every rate limit. */
  readonly rateLimits?: EndpointRateLimitsInput;
}

/** A rate limit as given: a missing `count` or `windowMs` takes the default of that limit. */
export type EndpointRateLimitsInput = {
  readonly [K in keyof EndpointRateLimits]?: Partial<RateLimitSetting>;
};

/**
 * What a limit given without `count` or `windowMs` gets (modelled on Let's Encrypt's):
 * 10 new accounts per IP per 3 hours, 300 new orders per account per 3 hours, 50 certificates
 * per registered domain per 7 days.
 */
export const DEFAULT_RATE_LIMITS: Required<EndpointRateLimits> = {
  newAccountsPerIp: { count: 10, windowMs: 3 * 3_600_000 },
  newOrdersPerAccount: { count: 300, windowMs: 3 * 3_600_000 },
  certificatesPerDomain: { count: 50, windowMs: 7 * 86_400_000 },
};

const RATE_LIMIT_NAMES = Object.keys(DEFAULT_RATE_LIMITS) as (keyof EndpointRateLimits)[];
const MIN_WINDOW_MS = 1_000;
const MAX_WINDOW_MS = 7 * 86_400_000;
const MAX_COUNT = 1_000_000;

/** What an endpoint is configured with: the validated input of `create`. */
export type EndpointSettings = Pick<
  Endpoint,
  | "authorizationBehavior"
  | "contact"
  | "externalAccountBinding"
  | "certificateAuthority"
  | "certificateTags"
  | "rateLimits"
  | "tags"
>;

type UpdatableSettings = Partial<Omit<EndpointSettings, "tags">>;

const BEHAVIORS: readonly AuthorizationBehavior[] = ["PRE_APPROVED"];
const CONTACTS: readonly ContactPolicy[] = ["REQUIRED", "NOT_REQUIRED"];
const EAB_POLICIES: readonly ExternalAccountBindingPolicy[] = ["REQUIRED", "NOT_REQUIRED"];
const UPDATABLE = [
  "authorizationBehavior",
  "contact",
  "externalAccountBinding",
  "certificateAuthority",
  "certificateTags",
  "rateLimits",
] as const;
const CREATE_FIELDS = [...UPDATABLE, "name", "tags", "idempotencyToken"];
const TOKEN = /^[\x21-\x7e]{1,64}$/;

export function validateCreate(
  input: CreateEndpointInput,
): Result<{ settings: EndpointSettings; idempotencyToken?: string }, ManagementError> {
  return safeTry(function* () {
    if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
    yield* knownFields(input, CREATE_FIELDS);
    const given = yield* validateSettings(input);
    const tags = yield* validateTags("tags", input.tags);
    const name = input.name === undefined ? undefined : yield* validateName("name", input.name);
    const { idempotencyToken } = input;
    if (
      idempotencyToken !== undefined &&
      (typeof idempotencyToken !== "string" || !TOKEN.test(idempotencyToken))
    ) {
      return err(
        validationError(
          "idempotencyToken",
          "idempotencyToken must be 1 to 64 printable ASCII characters, no spaces.",
        ),
      );
    }
    return ok({
      settings: {
        authorizationBehavior: given.authorizationBehavior ?? "PRE_APPROVED",
        contact: given.contact ?? "NOT_REQUIRED",
        externalAccountBinding: given.externalAccountBinding ?? "NOT_REQUIRED",
        certificateAuthority: given.certificateAuthority ?? {},
        certificateTags: given.certificateTags ?? [],
        ...(given.rateLimits === undefined ? {} : { rateLimits: given.rateLimits }),
        // Seed: the endpoint name is stored as its `Name` tag.
        tags:
          name === undefined ? tags : [{ key: "Name", value: name }, ...tags.filter((t) => t.key !== "Name")],
      },
      ...(idempotencyToken === undefined ? {} : { idempotencyToken }),
    });
  });
}

export function validateUpdate(input: UpdateEndpointInput): Result<UpdatableSettings, ManagementError> {
  return safeTry(function* () {
    if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
    yield* knownFields(input, ["endpointId", ...UPDATABLE]);
    return ok(yield* validateSettings(input));
  });
}

/** The Name tag is the endpoint's name, so it keeps the name's rule: 1–256 characters. */
export function validateName(field: string, name: unknown): Result<string, ManagementError> {
  return typeof name === "string" && name.length > 0 && name.length <= 256
    ? ok(name)
    : err(validationError(field, `${field} must be a string of 1 to 256 characters.`));
}

/** Each given field validated; absent ones stay absent. */
function validateSettings(input: Record<string, unknown>): Result<UpdatableSettings, ManagementError> {
  return safeTry(function* () {
    const settings: { -readonly [K in keyof UpdatableSettings]: UpdatableSettings[K] } = {};
    if (input.authorizationBehavior !== undefined)
      settings.authorizationBehavior = yield* oneOf(
        "authorizationBehavior",
        input.authorizationBehavior,
        BEHAVIORS,
      );
    if (input.contact !== undefined) settings.contact = yield* oneOf("contact", input.contact, CONTACTS);
    if (input.externalAccountBinding !== undefined) {
      settings.externalAccountBinding = yield* oneOf(
        "externalAccountBinding",
        input.externalAccountBinding,
        EAB_POLICIES,
      );
    }
    if (input.certificateAuthority !== undefined)
      settings.certificateAuthority = yield* validateCertificateAuthority(input.certificateAuthority);
    if (input.certificateTags !== undefined)
      settings.certificateTags = yield* validateTags("certificateTags", input.certificateTags);
    if (input.rateLimits !== undefined) settings.rateLimits = yield* validateRateLimits(input.rateLimits);
    return ok(settings);
  });
}

function validateCertificateAuthority(value: unknown): Result<EndpointCertificateAuthority, ManagementError> {
  return safeTry(function* () {
    if (!isRecord(value)) {
      return err(
        validationError(
          "certificateAuthority",
          "certificateAuthority must be an object: { allowedKeyAlgorithms }.",
        ),
      );
    }
    yield* knownFields(value, ["allowedKeyAlgorithms"], "certificateAuthority.");
    const allowedKeyAlgorithms = yield* validateKeyAlgorithms(value.allowedKeyAlgorithms);
    return ok(allowedKeyAlgorithms === undefined ? {} : { allowedKeyAlgorithms });
  });
}

function validateKeyAlgorithms(value: unknown): Result<KeyAlgorithm[] | undefined, ManagementError> {
  if (value === undefined) return ok(undefined);
  const field = "certificateAuthority.allowedKeyAlgorithms";
  if (!Array.isArray(value))
    return err(validationError(field, `${field} must be an array of ${KEY_ALGORITHMS.join(", ")}.`));
  const result: KeyAlgorithm[] = [];
  for (const item of value) {
    const checked = oneOf(field, item, KEY_ALGORITHMS);
    if (checked.isErr()) return err(checked.error);
    if (!result.includes(checked.value)) result.push(checked.value);
  }
  return ok(result);
}

/** RFC 8555 §6.6: each given limit completed from the defaults and checked; absent ones stay off. */
export function validateRateLimits(value: unknown): Result<EndpointRateLimits, ManagementError> {
  return safeTry(function* () {
    if (!isRecord(value)) {
      return err(
        validationError(
          "rateLimits",
          `rateLimits must be an object with any of ${RATE_LIMIT_NAMES.join(", ")}.`,
        ),
      );
    }
    yield* knownFields(value, RATE_LIMIT_NAMES, "rateLimits.");
    const limits: { -readonly [K in keyof EndpointRateLimits]: RateLimitSetting } = {};
    for (const name of RATE_LIMIT_NAMES) {
      if (value[name] !== undefined) limits[name] = yield* validateRateLimit(name, value[name]);
    }
    return ok(limits);
  });
}

function validateRateLimit(
  name: keyof EndpointRateLimits,
  value: unknown,
): Result<RateLimitSetting, ManagementError> {
  return safeTry(function* () {
    const field = `rateLimits.${name}`;
    if (!isRecord(value))
      return err(validationError(field, `${field} must be an object: { count, windowMs }.`));
    yield* knownFields(value, ["count", "windowMs"], `${field}.`);
    const count = value.count ?? DEFAULT_RATE_LIMITS[name].count;
    const windowMs = value.windowMs ?? DEFAULT_RATE_LIMITS[name].windowMs;
    if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
      return err(
        validationError(`${field}.count`, `${field}.count must be a whole number from 1 to ${MAX_COUNT}.`),
      );
    }
    if (
      typeof windowMs !== "number" ||
      !Number.isInteger(windowMs) ||
      windowMs < MIN_WINDOW_MS ||
      windowMs > MAX_WINDOW_MS
    ) {
      return err(
        validationError(
          `${field}.windowMs`,
          `${field}.windowMs must be a whole number of milliseconds from ${MIN_WINDOW_MS} (1 s) to ${MAX_WINDOW_MS} (7 days).`,
        ),
      );
    }
    return ok({ count, windowMs });
  });
}
