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
  /** `endpointId \n identifierSetKey` → serials. */
  readonly #byIdentifiers = new Map<string, Set<string>>();

  scope(key: string): InventoryScope | undefined {
    return this.#scopes.get(key);
  }

  serialsWithIdentifiers(endpointId: string, identifiers: CertificateRecord["identifiers"]): Set<string> {
    return this.#byIdentifiers.get(`${endpointId}\n${identifierSetKey(identifiers)}`) ?? new Set();
  }

  /** Moves a certificate from how it was (`previous`) to how it is (`next`) in every index. */
  place(previous: CertificateRecord | undefined, next: CertificateRecord | undefined): void {
    if (previous !== undefined) this.#apply(previous, -1);
    if (next !== undefined) this.#apply(next, 1);
  }

  #apply(certificate: CertificateRecord, sign: 1 | -1): void {
    const key = inventoryKey(certificate.notAfter, certificate.serial);
    for (const name of [ALL_ENDPOINTS, certificate.endpointId]) {
      const scope = this.#scopeFor(name);
      const lists = [scope.all, certificate.status === "revoked" ? scope.revoked : scope.valid];
      if (certificate.status !== "revoked" && certificate.renewedBy === undefined)
        lists.push(scope.validOpen);
      for (const list of lists) {
        if (sign === 1) list.add(key);
        else list.remove(key);
      }
      if (certificate.renewedBy !== undefined) scope.renewed += sign;
    }
    const idKey = `${certificate.endpointId}\n${identifierSetKey(certificate.identifiers)}`;
    let serials = this.#byIdentifiers.get(idKey);
    if (sign === 1) {
      if (serials === undefined) {
        serials = new Set();
        this.#byIdentifiers.set(idKey, serials);
      }
      serials.add(certificate.serial);
    } else if (serials !== undefined) {
      serials.delete(certificate.serial);
      if (serials.size === 0) this.#byIdentifiers.delete(idKey);
    }
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
