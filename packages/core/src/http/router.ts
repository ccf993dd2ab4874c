import type { Result, ResultAsync } from "neverthrow";
import type { RequestContext } from "../context.js";
import { account } from "../handlers/account.js";
import { accountOrders } from "../handlers/account-orders.js";
import { authorization } from "../handlers/authorization.js";
import { certificate } from "../handlers/certificate.js";
import { challenge } from "../handlers/challenge.js";
import { directory } from "../handlers/directory.js";
import { finalize } from "../handlers/finalize.js";
import { keyChange } from "../handlers/key-change.js";
import { newAccount } from "../handlers/new-account.js";
import { newNonce } from "../handlers/new-nonce.js";
import { newOrder } from "../handlers/new-order.js";
import { order } from "../handlers/order.js";
import { revokeCert } from "../handlers/revoke-cert.js";
import type { Resource } from "../links.js";
import type { AcmeProblem } from "../problems.js";
import type { AcmeReply } from "./reply.js";

/** A ResultAsync, or a plain promise of a Result from the handlers that await their steps. */
type Handler = (
  ctx: RequestContext,
) => ResultAsync<AcmeReply, AcmeProblem> | Promise<Result<AcmeReply, AcmeProblem>>;

interface Route {
  /** RFC 8555 §6.3: everything but the directory and newNonce is POST (POST-as-GET to read). */
  readonly methods: readonly string[];
  readonly handle: Handler;
}

const POST = ["POST"] as const;
const GET_HEAD = ["GET", "HEAD"] as const;

/** The resource a handler serves, of the kind its route is for. */
const of = <K extends Resource["kind"]>(ctx: RequestContext, _kind: K) =>
  ctx.resource as Extract<Resource, { kind: K }>;

/**
 * The one route table: resource kind → allowed methods and handler. Made once: handlers read
 * their ids from `ctx.resource`, so no route object or closure is made per request.
 */
const ROUTES: { readonly [K in Resource["kind"]]: Route } = {
  directory: { methods: GET_HEAD, handle: directory },
  newNonce: { methods: GET_HEAD, handle: newNonce },
  newAccount: { methods: POST, handle: newAccount },
  newOrder: { methods: POST, handle: newOrder },
  revokeCert: { methods: POST, handle: revokeCert },
  keyChange: { methods: POST, handle: keyChange },
  account: { methods: POST, handle: (ctx) => account(ctx, of(ctx, "account").accountId) },
  accountOrders: {
    methods: POST,
    handle: (ctx) => {
      const { accountId, cursor } = of(ctx, "accountOrders");
      return accountOrders(ctx, accountId, cursor);
    },
  },
  order: { methods: POST, handle: (ctx) => order(ctx, of(ctx, "order").orderId) },
  finalize: { methods: POST, handle: (ctx) => finalize(ctx, of(ctx, "finalize").orderId) },
  authorization: {
    methods: POST,
    handle: (ctx) => authorization(ctx, of(ctx, "authorization").authorizationId),
  },
  challenge: {
    methods: POST,
    handle: (ctx) => {
      const { authorizationId, challengeId } = of(ctx, "challenge");
      return challenge(ctx, authorizationId, challengeId);
    },
  },
  certificate: { methods: POST, handle: (ctx) => certificate(ctx, of(ctx, "certificate").serial) },
};

/** The route of a resource; its handler expects a context whose `resource` is this one. */
export function routeFor(resource: Resource): Route {
  return ROUTES[resource.kind];
}
