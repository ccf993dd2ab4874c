import type { DomainValidation, Identifier } from "../domain/types.js";

/**
 * PRE_APPROVED authorization (seed): an identifier is authorized when a SUCCESS domain
 * validation resource of the endpoint covers it. The exact domain, names below it, and
 * wildcard names each need their scope flag:
 * - `example.com` needs `exactDomain` on example.com;
 * - `a.b.example.com` needs `subdomains` on example.com (or on b.example.com, …);
 * - `*.example.com` needs `wildcards` on example.com; `*.b.example.com` needs `wildcards` and
 *   `subdomains` on example.com, or `wildcards` on b.example.com.
 */
export function findCoveringDomain(
  identifier: Identifier,
  domains: readonly DomainValidation[],
): DomainValidation | undefined {
  const wildcard = identifier.value.startsWith("*.");
  const name = wildcard ? identifier.value.slice(2) : identifier.value;
  for (const d of domains) {
    if (d.status !== "SUCCESS") continue;
    const exact = name === d.domainName;
    const below = isBelow(name, d.domainName);
    if (
      wildcard
        ? d.scope.wildcards && (exact || (below && d.scope.subdomains))
        : (exact && d.scope.exactDomain) || (below && d.scope.subdomains)
    )
      return d;
  }
  return undefined;
}

/** `name.endsWith("." + domain)`, without building that string for every domain. */
function isBelow(name: string, domain: string): boolean {
  const dot = name.length - domain.length - 1;
  return dot >= 0 && name.charCodeAt(dot) === 0x2e && name.endsWith(domain);
}
