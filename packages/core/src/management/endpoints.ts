import { randomUUID } from "node:crypto";
import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import type { Endpoint, Tag } from "../domain/types.js";
import { emit } from "../events/emit.js";
import type { CaError } from "../ports/certificate-authority.js";
import {
  type CreateEndpointInput,
  type EndpointSettings,
  type UpdateEndpointInput,
  validateCreate,
  validateUpdate,
} from "./endpoint-input.js";
import { requireActive, requireDeletable } from "./endpoint-status.js";
import {
  endpointTags,
  type ListTagsInput,
  type TagEndpointInput,
  type UntagEndpointInput,
} from "./endpoint-tags.js";
import {
  conflict,
  fromStorage,
  fromVersionedUpdate,
  type ManagementError,
  validationError,
} from "./errors.js";
import { endpointInputHash } from "./idempotency.js";
import { load } from "./load.js";

export type { CreateEndpointInput, UpdateEndpointInput } from "./endpoint-input.js";
export type { ListTagsInput, TagEndpointInput, UntagEndpointInput } from "./endpoint-tags.js";

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
  /**
   * Creates an endpoint: CREATING while its CA is provisioned, then ACTIVE, or FAILED with a
   * `failureReason`. With `idempotencyToken`, a retry of the same input answers the same endpoint.
   */
  create(input: CreateEndpointInput): ResultAsync<EndpointDescription, ManagementError>;
  describe(endpointId: string): ResultAsync<EndpointDescription, ManagementError>;
  list(input?: ListEndpointsInput): ResultAsync<EndpointPage, ManagementError>;
  /**
   * Changes an ACTIVE endpoint's settings; the next ACME request sees them, certificates already
   * issued keep theirs. `Conflict` when the endpoint is not ACTIVE, or when another request
   * changed it since it was read.
   */
  update(input: UpdateEndpointInput): ResultAsync<EndpointDescription, ManagementError>;
  /**
   * DELETING, then gone with its domain validations, EAB credentials, accounts, orders and
   * nonces; its certificate records stay, marked `endpointDeleted`. `Conflict` while another
   * create or delete of it is in flight.
   */
  delete(endpointId: string): ResultAsync<void, ManagementError>;
  /** Adds or overwrites endpoint tags (the `Name` tag is the name); answers all its tags. */
  tag(input: TagEndpointInput): ResultAsync<readonly Tag[], ManagementError>;
  /** Removes the tags with these keys (absent keys are ignored); answers the tags left. */
  untag(input: UntagEndpointInput): ResultAsync<readonly Tag[], ManagementError>;
  listTags(input: ListTagsInput): ResultAsync<readonly Tag[], ManagementError>;
}

export function endpointsApi(deps: Deps): EndpointsApi {
  const describe = (endpoint: Endpoint): EndpointDescription => ({
    ...endpoint,
    endpointUrl: deps.links.directory(endpoint.id),
  });
  const now = () => deps.clock.now().toISOString();

  return {
    create: (input) => create(deps, input).map(describe),

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

    update: (input) =>
      safeTry(async function* () {
        const changes = yield* validateUpdate(input);
        const endpoint = yield* requireActive(yield* load(deps, input.endpointId));
        if (Object.keys(changes).length === 0) return ok(describe(endpoint));
        const stored = yield* deps.storage.endpoints
          .update({ ...endpoint, ...changes, updatedAt: now() })
          .mapErr(fromVersionedUpdate("updating the endpoint", `Endpoint ${endpoint.id}`));
        return ok(describe(stored));
      }),

    delete: (endpointId) =>
      safeTry(async function* () {
        const endpoint = yield* requireDeletable(deps, yield* load(deps, endpointId));
        // The versioned write makes one of two racing deletes the owner; the other is told so.
        yield* deps.storage.endpoints
          .update({ ...endpoint, status: "DELETING", updatedAt: now() })
          .mapErr(fromVersionedUpdate("deleting the endpoint", `Endpoint ${endpoint.id}`));
        emit(deps, { type: "endpoint.statusChanged", endpointId, from: endpoint.status, to: "DELETING" });
        yield* deps.storage.endpoints.delete(endpoint.id).mapErr(fromStorage("deleting the endpoint"));
        emit(deps, { type: "endpoint.statusChanged", endpointId, from: "DELETING", to: "DELETED" });
        return ok(undefined);
      }),

    ...endpointTags(deps),
  };
}

type Idempotency = NonNullable<Endpoint["idempotency"]>;

function create(deps: Deps, input: CreateEndpointInput): ResultAsync<Endpoint, ManagementError> {
  return safeTry(async function* () {
    const { settings, idempotencyToken } = yield* validateCreate(input);
    const idempotency =
      idempotencyToken === undefined
        ? undefined
        : { token: idempotencyToken, inputHash: endpointInputHash(settings) };
    if (idempotency !== undefined) {
      const earlier = yield* byToken(deps, idempotency.token);
      if (earlier !== undefined) return replay(earlier, idempotency);
    }
    const inserted = await deps.storage.endpoints.insert(creatingRecord(deps, settings, idempotency));
    if (inserted.isErr()) {
      // A concurrent create with the same token won the insert: answer as a retry would.
      if (inserted.error.type === "conflict" && idempotency !== undefined) {
        const winner = yield* byToken(deps, idempotency.token);
        if (winner !== undefined) return replay(winner, idempotency);
      }
      return err(fromStorage("creating the endpoint")(inserted.error));
    }
    const creating = inserted.value;
    emit(deps, { type: "endpoint.statusChanged", endpointId: creating.id, to: "CREATING" });
    const provisioned = await provision(deps, creating.id);
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
    emit(deps, {
      type: "endpoint.statusChanged",
      endpointId: stored.id,
      from: "CREATING",
      to: stored.status,
      ...(stored.failureReason === undefined ? {} : { reason: stored.failureReason }),
    });
    return ok(stored);
  });
}

function creatingRecord(
  deps: Deps,
  settings: EndpointSettings,
  idempotency: Idempotency | undefined,
): Endpoint {
  const now = deps.clock.now().toISOString();
  const id = randomUUID();
  return {
    id,
    arn: `arn:acme-endpoints:acme-endpoint/${id}`,
    status: "CREATING",
    ...settings,
    ...(idempotency === undefined ? {} : { idempotency }),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
}

/** A CA that throws instead of answering an error still fails only this endpoint. */
async function provision(deps: Deps, endpointId: string): Promise<Result<void, CaError>> {
  try {
    return await deps.ca.provision(endpointId);
  } catch (cause) {
    deps.logger.error("the certificate authority threw while provisioning an endpoint", {
      endpointId,
      cause,
    });
    return err({ type: "caFailure", message: "The certificate authority failed unexpectedly.", cause });
  }
}

function byToken(deps: Deps, token: string): ResultAsync<Endpoint | undefined, ManagementError> {
  return deps.storage.endpoints
    .getByIdempotencyToken(token)
    .mapErr(fromStorage("looking up the idempotency token"));
}

function replay(earlier: Endpoint, idempotency: Idempotency): Result<Endpoint, ManagementError> {
  return earlier.idempotency?.inputHash === idempotency.inputHash
    ? ok(earlier)
    : err(
        conflict(
          `idempotencyToken ${JSON.stringify(idempotency.token)} was already used to create endpoint ${earlier.id} with different input; use a new token to create another endpoint.`,
        ),
      );
}
