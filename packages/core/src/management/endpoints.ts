import { randomUUID } from "node:crypto";
import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import type {
  AuthorizationBehavior,
  ContactPolicy,
  Endpoint,
  EndpointCertificateAuthority,
  ExternalAccountBindingPolicy,
  KeyAlgorithm,
  Tag,
} from "../domain/types.js";
import { KEY_ALGORITHMS } from "../policy/key-algorithm.js";
import { fromStorage, type ManagementError, notFound, validationError } from "./errors.js";
import { oneOf, validateTags } from "./validate.js";

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
  readonly tags?: readonly Tag[];
}

/** An endpoint as the management API shows it: the record plus its directory URL. */
export interface EndpointDescription extends Endpoint {
  /** `{baseUrl}/{endpointId}/directory`: what ACME clients are configured with. */
  readonly endpointUrl: string;
}

export interface ListEndpointsInput {
  /** 1–100, default 100. */
  readonly pageSize?: number;
  readonly nextToken?: string;
}

export interface EndpointPage {
  readonly endpoints: readonly EndpointDescription[];
  readonly nextToken?: string;
}

export interface EndpointsApi {
  /** Creates an endpoint: CREATING while its CA is provisioned, then ACTIVE, or FAILED with a reason. */
  create(input: CreateEndpointInput): ResultAsync<EndpointDescription, ManagementError>;
  describe(endpointId: string): ResultAsync<EndpointDescription, ManagementError>;
  list(input?: ListEndpointsInput): ResultAsync<EndpointPage, ManagementError>;
  /** DELETING, then gone with its domain validations, accounts, orders and nonces. */
  delete(endpointId: string): ResultAsync<void, ManagementError>;
}

const BEHAVIORS: readonly AuthorizationBehavior[] = ["PRE_APPROVED"];
const CONTACTS: readonly ContactPolicy[] = ["REQUIRED", "NOT_REQUIRED"];
const EAB_POLICIES: readonly ExternalAccountBindingPolicy[] = ["REQUIRED", "NOT_REQUIRED"];

export function endpointsApi(deps: Deps): EndpointsApi {
  const describe = (endpoint: Endpoint): EndpointDescription => ({
    ...endpoint,
    endpointUrl: deps.links.directory(endpoint.id),
  });

  return {
    create: (input) =>
      safeTry(async function* () {
        const settings = yield* validateCreate(input);
        const now = deps.clock.now().toISOString();
        const id = randomUUID();
        const creating = yield* deps.storage.endpoints
          .insert({
            id,
            arn: `arn:acme-endpoints:acme-endpoint/${id}`,
            status: "CREATING",
            ...settings,
            createdAt: now,
            updatedAt: now,
            version: 1,
          })
          .mapErr(fromStorage("creating the endpoint"));
        const provisioned = await deps.ca.provision(id);
        const outcome: Endpoint = provisioned.isOk()
          ? { ...creating, status: "ACTIVE", updatedAt: deps.clock.now().toISOString() }
          : {
              ...creating,
              status: "FAILED",
              failureReason: provisioned.error.message,
              updatedAt: deps.clock.now().toISOString(),
            };
        const stored = yield* deps.storage.endpoints
          .update(outcome)
          .mapErr(fromStorage("activating the endpoint"));
        return ok(describe(stored));
      }),

    describe: (endpointId) => load(deps, endpointId).map(describe),

    list: (input = {}) =>
      safeTry(async function* () {
        const pageSize = input.pageSize ?? 100;
        if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
          return err(validationError("pageSize", "pageSize must be an integer from 1 to 100."));
        }
        const page = yield* deps.storage.endpoints
          .list({ limit: pageSize, ...(input.nextToken === undefined ? {} : { after: input.nextToken }) })
          .mapErr(fromStorage("listing endpoints"));
        return ok({
          endpoints: page.items.map(describe),
          ...(page.next === undefined ? {} : { nextToken: page.next }),
        });
      }),

    delete: (endpointId) =>
      safeTry(async function* () {
        const endpoint = yield* load(deps, endpointId);
        if (endpoint.status !== "DELETING") {
          yield* deps.storage.endpoints
            .update({ ...endpoint, status: "DELETING", updatedAt: deps.clock.now().toISOString() })
            .mapErr(fromStorage("deleting the endpoint"));
        }
        yield* deps.storage.endpoints.delete(endpointId).mapErr(fromStorage("deleting the endpoint"));
        return ok(undefined);
      }),
  };
}

export function load(deps: Deps, endpointId: string): ResultAsync<Endpoint, ManagementError> {
  return deps.storage.endpoints
    .get(endpointId)
    .mapErr(fromStorage("loading the endpoint"))
    .andThen((endpoint) =>
      endpoint === undefined ? err(notFound(`No endpoint ${endpointId}.`)) : ok(endpoint),
    );
}

type EndpointSettings = Pick<
  Endpoint,
  | "authorizationBehavior"
  | "contact"
  | "externalAccountBinding"
  | "certificateAuthority"
  | "certificateTags"
  | "tags"
>;

function validateCreate(input: CreateEndpointInput): Result<EndpointSettings, ManagementError> {
  return safeTry(function* () {
    const authorizationBehavior = yield* oneOf(
      "authorizationBehavior",
      input.authorizationBehavior ?? "PRE_APPROVED",
      BEHAVIORS,
    );
    const contact = yield* oneOf("contact", input.contact ?? "NOT_REQUIRED", CONTACTS);
    const externalAccountBinding = yield* oneOf(
      "externalAccountBinding",
      input.externalAccountBinding ?? "NOT_REQUIRED",
      EAB_POLICIES,
    );
    const allowedKeyAlgorithms = yield* validateKeyAlgorithms(
      input.certificateAuthority?.allowedKeyAlgorithms,
    );
    const certificateTags = yield* validateTags("certificateTags", input.certificateTags);
    const tags = yield* validateTags("tags", input.tags);
    const { name } = input;
    if (name !== undefined && (typeof name !== "string" || name.length === 0 || name.length > 256)) {
      return err(validationError("name", "name must be a string of 1 to 256 characters."));
    }
    return ok({
      authorizationBehavior,
      contact,
      externalAccountBinding,
      certificateAuthority: allowedKeyAlgorithms === undefined ? {} : { allowedKeyAlgorithms },
      certificateTags,
      // Seed: the endpoint name is stored as its `Name` tag.
      tags:
        name === undefined ? tags : [{ key: "Name", value: name }, ...tags.filter((t) => t.key !== "Name")],
    });
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
