/** The JSON objects of RFC 8555 §7.1.2–7.1.5, built from stored records. */
import type { Account, Authorization, Challenge, Order } from "../domain/types.js";
import type { Links } from "../links.js";
import { ACME_ERROR_NS } from "../problems.js";

/** RFC 8555 §7.1.2 */
export function accountView(links: Links, account: Account): Record<string, unknown> {
  return {
    status: account.status,
    contact: account.contact,
    termsOfServiceAgreed: account.termsOfServiceAgreed,
    orders: links.accountOrders(account.endpointId, account.id),
    createdAt: account.createdAt,
  };
}

/** RFC 8555 §7.1.3 */
export function orderView(links: Links, order: Order): Record<string, unknown> {
  const view: Record<string, unknown> = {
    status: order.status,
    expires: order.expires,
    identifiers: order.identifiers,
    authorizations: order.authorizationIds.map((id) => links.authorization(order.endpointId, id)),
    finalize: links.finalize(order.endpointId, order.id),
  };
  if (order.notBefore !== undefined) view.notBefore = order.notBefore;
  if (order.notAfter !== undefined) view.notAfter = order.notAfter;
  if (order.error !== undefined) {
    view.error = { ...order.error, type: ACME_ERROR_NS + order.error.type };
  }
  if (order.certificateSerial !== undefined) {
    view.certificate = links.certificate(order.endpointId, order.certificateSerial);
  }
  return view;
}

/** RFC 8555 §7.1.4 */
export function authorizationView(links: Links, authz: Authorization): Record<string, unknown> {
  const view: Record<string, unknown> = {
    identifier: authz.identifier,
    status: authz.status,
    expires: authz.expires,
    challenges: authz.challenges.map((c) => challengeView(links, authz, c)),
  };
  if (authz.wildcard) view.wildcard = true;
  return view;
}

/** RFC 8555 §8 */
export function challengeView(
  links: Links,
  authz: Authorization,
  challenge: Challenge,
): Record<string, unknown> {
  const view: Record<string, unknown> = {
    type: challenge.type,
    url: links.challenge(authz.endpointId, authz.id, challenge.id),
    status: challenge.status,
    token: challenge.token,
  };
  if (challenge.validated !== undefined) view.validated = challenge.validated;
  return view;
}
