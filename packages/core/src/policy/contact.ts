import { err, ok, type Result } from "neverthrow";
import type { ContactPolicy } from "../domain/types.js";
import { type AcmeProblem, problem } from "../problems.js";

/** One address local part and a domain; no hfields (`?`), no lists (`,`), no whitespace. */
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const MAILTO = new RegExp(`^mailto:([A-Za-z0-9.!#$&'*+/=^_\`{|}~-]{1,64})@(${LABEL}(?:\\.${LABEL})+)$`);

/**
 * RFC 8555 §7.3: `contact` is an array of URLs. This server supports `mailto:` with exactly
 * one address each (unsupportedContact for other schemes, invalidContact for anything else
 * wrong), and the endpoint's contact policy (seed: Contact REQUIRED rejects registrations
 * without one).
 */
export function validateContacts(
  value: unknown,
  policy: ContactPolicy,
  maxContacts: number,
): Result<readonly string[], AcmeProblem> {
  if (value !== undefined && !Array.isArray(value)) {
    return err(problem("malformed", "`contact` must be an array of mailto: URLs."));
  }
  const contacts = (value ?? []) as unknown[];
  if (contacts.length === 0 && policy === "REQUIRED") {
    return err(
      problem(
        "invalidContact",
        "This endpoint requires a contact: register with at least one mailto: address (for example certbot --email you@example.com).",
      ),
    );
  }
  if (contacts.length > maxContacts) {
    return err(
      problem(
        "invalidContact",
        `At most ${maxContacts} contacts are accepted; ${contacts.length} were sent.`,
      ),
    );
  }
  const seen = new Set<string>();
  for (const contact of contacts) {
    if (typeof contact !== "string") return err(problem("malformed", "Each `contact` must be a string URL."));
    if (!contact.toLowerCase().startsWith("mailto:")) {
      return err(
        problem(
          "unsupportedContact",
          `Contact ${JSON.stringify(contact.slice(0, 100))} is not supported: only mailto: URLs are.`,
        ),
      );
    }
    if (contact.length > 330 || !MAILTO.test(contact)) {
      return err(
        problem(
          "invalidContact",
          `Contact ${JSON.stringify(contact.slice(0, 100))} is not a mailto: URL with exactly one email address and no header fields.`,
        ),
      );
    }
    seen.add(contact);
  }
  return ok([...seen]);
}
