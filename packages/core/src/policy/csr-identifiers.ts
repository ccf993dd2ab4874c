import { err, ok, type Result } from "neverthrow";
import type { ParsedCsr } from "../crypto/csr.js";
import type { Identifier } from "../domain/types.js";
import { type AcmeProblem, problem } from "../problems.js";

/**
 * RFC 8555 §7.4: the CSR must request exactly the order's identifiers: its subjectAltName
 * dNSNames and (if present) its common name, compared case-insensitively, make the same set.
 */
export function checkCsrIdentifiers(
  csr: ParsedCsr,
  identifiers: readonly Identifier[],
): Result<void, AcmeProblem> {
  if (csr.ipAddresses.length > 0 || csr.otherSanCount > 0) {
    return err(
      problem(
        "badCSR",
        "The CSR may only name DNS identifiers of the order (no IP, email or URI subjectAltNames).",
      ),
    );
  }
  const requested = new Set<string>();
  for (const dnsName of csr.dnsNames) requested.add(dnsName.toLowerCase());
  for (const commonName of csr.commonNames) requested.add(commonName.toLowerCase());
  const ordered = new Set<string>();
  for (const identifier of identifiers) ordered.add(identifier.value);
  const extra: string[] = [];
  for (const name of requested) if (!ordered.has(name)) extra.push(name);
  const missing: string[] = [];
  for (const name of ordered) if (!requested.has(name)) missing.push(name);
  if (extra.length === 0 && missing.length === 0) return ok(undefined);
  const parts = [
    missing.length > 0 ? `it lacks ${missing.join(", ")}` : "",
    extra.length > 0 ? `it names ${extra.join(", ")}, which the order does not` : "",
  ].filter(Boolean);
  return err(problem("badCSR", `The CSR must name exactly the order's identifiers: ${parts.join("; ")}.`));
}
