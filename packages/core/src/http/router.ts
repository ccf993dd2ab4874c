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

/** The one route table: resource kind → allowed methods and handler. */
export function routeFor(resource: Resource): Route {
  switch (resource.kind) {
    case "directory":
      return { methods: ["GET", "HEAD"], handle: directory };
    case "newNonce":
      return { methods: ["GET", "HEAD"], handle: newNonce };
    case "newAccount":
      return { methods: POST, handle: newAccount };
    case "newOrder":
      return { methods: POST, handle: newOrder };
    case "revokeCert":
      return { methods: POST, handle: revokeCert };
    case "keyChange":
      return { methods: POST, handle: keyChange };
    case "account":
      return { methods: POST, handle: (ctx) => account(ctx, resource.accountId) };
    case "accountOrders":
      return { methods: POST, handle: (ctx) => accountOrders(ctx, resource.accountId, resource.cursor) };
    case "order":
      return { methods: POST, handle: (ctx) => order(ctx, resource.orderId) };
    case "finalize":
      return { methods: POST, handle: (ctx) => finalize(ctx, resource.orderId) };
    case "authorization":
      return { methods: POST, handle: (ctx) => authorization(ctx, resource.authorizationId) };
    case "challenge":
      return {
        methods: POST,
        handle: (ctx) => challenge(ctx, resource.authorizationId, resource.challengeId),
      };
    case "certificate":
      return { methods: POST, handle: (ctx) => certificate(ctx, resource.serial) };
  }
}
