import { randomBytes } from "node:crypto";
import { err, ok, type Result } from "neverthrow";
import type { DnsValidationRecord, DomainValidation } from "../domain/types.js";
import type { DnsResolver } from "../ports/dns.js";
import { type ManagementError, validationError } from "./errors.js";

/*
 * DNS validation, like ACM's: the domain owner publishes
 *   _acme-endpoints-<16 hex>.<domain>  CNAME  <32 hex>.validation.<dnsValidationDomain>
 * The random label in the record *name* matters: a name holds at most one CNAME, so with a
 * fixed name two endpoints (or two tenants) validating one domain would overwrite each other's
 * record, and the next re-validation would revoke the other's coverage. The value's 128 random
 * bits are the proof: only someone shown this validation can publish them. Hex keeps both
 * inside what every DNS provider accepts (no case, no underscores in the target).
 */

const PREFIX = "_acme-endpoints-";
/** `_acme-endpoints-` + 16 hex + `.`: what the record name adds to the domain. */
const NAME_OVERHEAD = PREFIX.length + 16 + 1;

export function newValidationRecord(
  domainName: string,
  dnsValidationDomain: string,
): Result<DnsValidationRecord, ManagementError> {
  if (domainName.length + NAME_OVERHEAD > 253) {
    return err(
      validationError(
        "domainName",
        `${domainName} is too long to validate by DNS: its record name would exceed 253 characters (at most ${253 - NAME_OVERHEAD} for the domain); approve it by hand instead.`,
      ),
    );
  }
  return ok({
    type: "CNAME",
    name: `${PREFIX}${randomBytes(8).toString("hex")}.${domainName}`,
    value: `${randomBytes(16).toString("hex")}.validation.${dnsValidationDomain}`,
  });
}

/** What one lookup of a validation record said. */
export type DnsCheck =
  | { readonly found: true }
  /** `definite`: DNS answered and the record is not there (or says something else). */
  | { readonly found: false; readonly definite: boolean; readonly detail: string };

const canonical = (name: string) => name.toLowerCase().replace(/\.$/, "");

export async function checkRecord(dns: DnsResolver, record: DnsValidationRecord): Promise<DnsCheck> {
  const answer =
    record.type === "CNAME"
      ? await dns.resolveCname(record.name)
      : (await dns.resolveTxt(record.name)).map((records) => records.map((chunks) => chunks.join("")));
  if (answer.isErr()) return { found: false, definite: false, detail: answer.error.message };
  const expected = record.type === "CNAME" ? canonical(record.value) : record.value;
  const values = record.type === "CNAME" ? answer.value.map(canonical) : answer.value;
  if (values.includes(expected)) return { found: true };
  return {
    found: false,
    definite: true,
    detail:
      values.length === 0
        ? `there is no ${record.type} record at ${record.name}`
        : `the ${record.type} record at ${record.name} is ${values.map((v) => JSON.stringify(v)).join(", ")}, not ${JSON.stringify(record.value)}`,
  };
}

/**
 * A PENDING_VALIDATION domain after a lookup: SUCCESS when the record is there; else still
 * pending until `timeoutMs` after it was created, then FAILED with what the last lookup saw.
 * Answers `undefined` when nothing changes (an unanswered lookup before the timeout).
 */
export function afterPendingCheck(
  domain: DomainValidation,
  check: DnsCheck,
  now: Date,
  timeoutMs: number,
): DomainValidation | undefined {
  const at = now.toISOString();
  if (check.found) return { ...domain, status: "SUCCESS", validatedAt: at, lastCheckedAt: at };
  const checked = check.definite ? { ...domain, lastCheckedAt: at } : domain;
  if (now.getTime() - Date.parse(domain.createdAt) >= timeoutMs) {
    return {
      ...checked,
      status: "FAILED",
      failureReason: `The validation record was not found within ${formatDuration(timeoutMs)} of the request: ${check.detail}.`,
    };
  }
  return check.definite ? checked : undefined;
}

/**
 * A SUCCESS domain after a re-check: a record DNS says is gone or changed revokes coverage
 * (FAILED). A lookup DNS did not answer changes nothing: an outage must not stop issuance.
 */
export function afterRevalidation(
  domain: DomainValidation,
  check: DnsCheck,
  now: Date,
): DomainValidation | undefined {
  const at = now.toISOString();
  if (check.found) return { ...domain, lastCheckedAt: at };
  if (!check.definite) return undefined;
  return {
    ...domain,
    status: "FAILED",
    lastCheckedAt: at,
    failureReason: `Coverage revoked on re-validation: ${check.detail}.`,
  };
}

function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  if (Number.isInteger(hours)) return `${hours} hour${hours === 1 ? "" : "s"}`;
  const minutes = ms / 60_000;
  return Number.isInteger(minutes) ? `${minutes} minutes` : `${ms} ms`;
}
