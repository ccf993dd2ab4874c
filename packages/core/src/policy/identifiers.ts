import { err, ok, type Result } from "neverthrow";
import type { Identifier } from "../domain/types.js";
import { isObject } from "../jws/parse.js";
import { type AcmeProblem, problem, type Subproblem } from "../problems.js";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Why a DNS name is not one this server issues for, or undefined when it is. Names must be
 * given as the CA/Browser Forum and RFC 8555 §7.1.4 expect them: lower case LDH labels,
 * A-labels for IDNs, no trailing dot, a wildcard only as the whole leftmost label.
 */
export function dnsNameProblem(name: string): string | undefined {
  return isPlainDnsName(name) ? undefined : dnsNameProblemOf(name);
}

const DOT = 0x2e;
const HYPHEN = 0x2d;

/**
 * One pass over the usual, acceptable name: an optional `*.`, then two or more labels of 1-63
 * of a-z, 0-9 and inner hyphens, at most 253 characters, the last label not all digits. Every
 * name this accepts, `dnsNameProblemOf` accepts too (the regular expressions and the split
 * there cost ~5 µs a name); anything else goes there for the answer, which says what is wrong.
 */
export function isPlainDnsName(name: string): boolean {
  const length = name.length;
  if (length === 0 || length > 253) return false;
  let i = name.startsWith("*.") ? 2 : 0;
  let labels = 0;
  let labelDigitsOnly = true;
  while (i < length) {
    const start = i;
    labelDigitsOnly = true;
    for (; i < length; i++) {
      const c = name.charCodeAt(i);
      if (c === DOT) break;
      if (c >= 0x30 && c <= 0x39) continue;
      if ((c >= 0x61 && c <= 0x7a) || c === HYPHEN) labelDigitsOnly = false;
      else return false;
    }
    const labelLength = i - start;
    if (labelLength === 0 || labelLength > 63) return false;
    if (name.charCodeAt(start) === HYPHEN || name.charCodeAt(i - 1) === HYPHEN) return false;
    labels++;
    if (i < length) {
      i++; // the dot
      if (i === length) return false; // a trailing dot
    }
  }
  return labels >= 2 && !labelDigitsOnly;
}

/** `dnsNameProblem` the long way: each rule in turn, the first broken one answered. */
export function dnsNameProblemOf(name: string): string | undefined {
  if (name.length === 0) return "the name is empty";
  if (/^[0-9a-f:]*:[0-9a-f:]*$/i.test(name) || /^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return "IP addresses are not supported as dns identifiers (and this server does not issue for IP identifiers)";
  }
  if (name.length > 253) return `the name is ${name.length} characters long; at most 253 are allowed`;
  if (name.endsWith(".")) return "remove the trailing dot";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them
  if (/[^\x00-\x7f]/.test(name)) return "use the A-label (punycode, xn--) form of internationalized names";
  if (name !== name.toLowerCase()) return "use lower case";
  const base = name.startsWith("*.") ? name.slice(2) : name;
  if (base.includes("*")) return "a wildcard may only be the whole leftmost label (*.example.com)";
  const labels = base.split(".");
  if (labels.length < 2) return "the name needs at least two labels (example.com)";
  for (const label of labels) {
    if (label.length === 0) return "the name has an empty label";
    if (label.length > 63) return `the label ${label.slice(0, 20)}… is longer than 63 characters`;
    if (!LABEL.test(label))
      return `the label "${label}" has characters other than a-z, 0-9 and inner hyphens`;
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? ""))
    return "the top-level label is numeric (IP addresses are not supported)";
  return undefined;
}

/**
 * RFC 8555 §7.4: checks a newOrder `identifiers` array. Every bad identifier gets its own
 * subproblem (§6.7.1) so a client can tell which to fix.
 */
export function validateOrderIdentifiers(
  value: unknown,
  maxIdentifiers: number,
): Result<Identifier[], AcmeProblem> {
  if (!Array.isArray(value) || value.length === 0) {
    return err(problem("malformed", "`identifiers` must be a non-empty array of {type, value} objects."));
  }
  if (value.length > maxIdentifiers) {
    return err(
      problem(
        "rejectedIdentifier",
        `An order may have at most ${maxIdentifiers} identifiers; ${value.length} were sent.`,
      ),
    );
  }
  const identifiers: Identifier[] = [];
  const subproblems: Subproblem[] = [];
  const seen = new Set<string>();
  for (const item of value) {
    if (!isObject(item) || typeof item.type !== "string" || typeof item.value !== "string") {
      return err(problem("malformed", "Each identifier must be an object with string `type` and `value`."));
    }
    const shown = { type: "dns" as const, value: item.value.slice(0, 260) };
    if (item.type !== "dns") {
      subproblems.push({
        type: "unsupportedIdentifier",
        detail: `Identifier type ${JSON.stringify(item.type.slice(0, 20))} is not supported; only "dns" is.`,
        identifier: { type: "dns", value: shown.value },
      });
      continue;
    }
    const why = dnsNameProblem(item.value);
    if (why !== undefined) {
      subproblems.push({
        type: "rejectedIdentifier",
        detail: `${JSON.stringify(shown.value)}: ${why}.`,
        identifier: shown,
      });
      continue;
    }
    if (seen.has(item.value)) {
      subproblems.push({
        type: "malformed",
        detail: `${item.value} is listed more than once.`,
        identifier: shown,
      });
      continue;
    }
    seen.add(item.value);
    identifiers.push({ type: "dns", value: item.value });
  }
  if (subproblems.length > 0) return err(combine(subproblems));
  return ok(identifiers);
}

/** A problem for several identifiers: the top-level type is the subproblems' when they agree. */
export function combine(subproblems: readonly Subproblem[]): AcmeProblem {
  const [first] = subproblems;
  const same = subproblems.every((s) => s.type === first?.type);
  const type = same && first ? first.type : "rejectedIdentifier";
  const detail =
    subproblems.length === 1 && first
      ? first.detail
      : `${subproblems.length} identifiers were refused; see subproblems.`;
  return problem(type, detail, { subproblems });
}
