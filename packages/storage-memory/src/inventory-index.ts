import type { CertificateRecord } from "@acme-endpoints/core";
import { identifierSetKey } from "@acme-endpoints/core";
import { inventoryKey, SortedKeys } from "./sorted-keys.js";

/** One scope of the inventory (an endpoint's certificates, or everyone's), in inventory order. */
export interface InventoryScope {
  readonly all: SortedKeys;
  /** Status `valid` (not revoked): `valid` and `expired` are its two halves around `now`. */
  readonly valid: SortedKeys;
  /** Status `valid` and not renewed: what overdue/due/current split. */
  readonly validOpen: SortedKeys;
  readonly revoked: SortedKeys;
  /** How many have `renewedBy` set. */
  renewed: number;
}

/** The scope key of every certificate, whatever its endpoint. */
export const ALL_ENDPOINTS = "*";

/**
 * The indexes the inventory queries (list, summary) and renewal marking read, so that none of
 * them walks every certificate: per scope, sorted keys by status; per endpoint and identifier
 * set, the serials.
 */
export class InventoryIndex {
  readonly #scopes = new Map<string, InventoryScope>();
  /**
   * endpoint id → `identifierKey` → serials: the one serial itself while there is one (most
   * identifier sets), an array once renewals add more; no Set kept alive per certificate.
   */
  readonly #byIdentifiers = new Map<string, Map<string, string | string[]>>();

  scope(key: string): InventoryScope | undefined {
    return this.#scopes.get(key);
  }

  /** The serials of the endpoint's certificates for exactly this identifier set, if any. */
  serialsWithIdentifiers(endpointId: string, identifierKey: string): string | readonly string[] | undefined {
    return this.#byIdentifiers.get(endpointId)?.get(identifierKey);
  }

  /**
   * Moves a certificate from how it was (`previous`) to how it is (`next`) in every index.
   * `nextKey`, when the caller has it, is `identifierKey(next)`.
   */
  place(
    previous: CertificateRecord | undefined,
    next: CertificateRecord | undefined,
    nextKey?: string,
  ): void {
    let previousKey: string | undefined;
    if (previous !== undefined) {
      previousKey = identifierKey(previous.identifiers);
      this.#apply(previous, -1);
    }
    if (next !== undefined) {
      // An update usually keeps the identifier array (nextVersion shares it): same key.
      const key =
        nextKey ??
        (previous !== undefined &&
        previous.identifiers === next.identifiers &&
        previous.endpointId === next.endpointId
          ? previousKey
          : undefined) ??
        identifierKey(next.identifiers);
      this.#apply(next, 1);
      // An update that keeps serial, endpoint and identifiers leaves the serial where it is.
      if (
        previous !== undefined &&
        previous.serial === next.serial &&
        previous.endpointId === next.endpointId &&
        previousKey === key
      ) {
        return;
      }
      if (previous !== undefined) this.#unlistSerial(previous, previousKey as string);
      this.#listSerial(next, key);
    } else if (previous !== undefined) this.#unlistSerial(previous, previousKey as string);
  }

  #apply(certificate: CertificateRecord, sign: 1 | -1): void {
    const key = inventoryKey(certificate.notAfter, certificate.serial);
    const revoked = certificate.status === "revoked";
    const open = !revoked && certificate.renewedBy === undefined;
    const renewed = certificate.renewedBy === undefined ? 0 : sign;
    applyTo(this.#scopeFor(ALL_ENDPOINTS), key, sign, revoked, open, renewed);
    applyTo(this.#scopeFor(certificate.endpointId), key, sign, revoked, open, renewed);
  }

  #listSerial(certificate: CertificateRecord, idKey: string): void {
    let sets = this.#byIdentifiers.get(certificate.endpointId);
    if (sets === undefined) {
      sets = new Map();
      this.#byIdentifiers.set(certificate.endpointId, sets);
    }
    const serials = sets.get(idKey);
    if (serials === undefined) sets.set(idKey, certificate.serial);
    else if (typeof serials === "string") {
      if (serials !== certificate.serial) sets.set(idKey, [serials, certificate.serial]);
    } else if (!serials.includes(certificate.serial)) serials.push(certificate.serial);
  }

  #unlistSerial(certificate: CertificateRecord, idKey: string): void {
    const sets = this.#byIdentifiers.get(certificate.endpointId);
    const serials = sets?.get(idKey);
    if (sets === undefined || serials === undefined) return;
    if (typeof serials === "string") {
      if (serials !== certificate.serial) return;
      sets.delete(idKey);
      if (sets.size === 0) this.#byIdentifiers.delete(certificate.endpointId);
      return;
    }
    const index = serials.indexOf(certificate.serial);
    if (index >= 0) serials.splice(index, 1);
    if (serials.length === 1) sets.set(idKey, serials[0] as string);
  }

  #scopeFor(name: string): InventoryScope {
    let scope = this.#scopes.get(name);
    if (scope === undefined) {
      scope = {
        all: new SortedKeys(),
        valid: new SortedKeys(),
        validOpen: new SortedKeys(),
        revoked: new SortedKeys(),
        renewed: 0,
      };
      this.#scopes.set(name, scope);
    }
    return scope;
  }
}

function applyTo(
  scope: InventoryScope,
  key: string,
  sign: 1 | -1,
  revoked: boolean,
  open: boolean,
  renewed: number,
): void {
  if (sign === 1) {
    scope.all.add(key);
    (revoked ? scope.revoked : scope.valid).add(key);
    if (open) scope.validOpen.add(key);
  } else {
    scope.all.remove(key);
    (revoked ? scope.revoked : scope.valid).remove(key);
    if (open) scope.validOpen.remove(key);
  }
  scope.renewed += renewed;
}

/**
 * Where renewal looks for a certificate's predecessors (within its endpoint): core's
 * `identifierSetKey` of its identifiers. That key of one identifier is `type:value` in lower case,
 * made here without the Set, the sort and the join (an order has one identifier, mostly).
 */
export function identifierKey(identifiers: CertificateRecord["identifiers"]): string {
  const only = identifiers.length === 1 ? identifiers[0] : undefined;
  return only === undefined ? identifierSetKey(identifiers) : `${only.type}:${only.value}`.toLowerCase();
}
