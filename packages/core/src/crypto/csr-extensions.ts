import { Buffer } from "node:buffer";
import { err, ok, type Result } from "neverthrow";
import {
  elementEnd,
  elementIs,
  encodeOid,
  firstChild,
  nextSibling,
  readWhole,
  TAG_BOOLEAN,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_OID,
  TAG_SEQUENCE,
  tiles,
  valueStartOf,
} from "./der.js";
import { ipFromBytes } from "./ip.js";

/** id-ce-subjectAltName 2.5.29.17 and id-ce-basicConstraints 2.5.29.19 as DER elements. */
const SUBJECT_ALT_NAME = encodeOid("2.5.29.17");
const BASIC_CONSTRAINTS = encodeOid("2.5.29.19");

/** What the CSR's requested extensions say, as far as ACME finalize cares. */
export interface RequestedExtensions {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly otherSanCount: number;
  readonly requestsCa: boolean;
}

interface Collected {
  dnsNames: string[];
  ipAddresses: string[];
  otherSanCount: number;
  requestsCa: boolean;
}

const NOT_EXTENSIONS = "the extensionRequest attribute is not a valid Extensions value (RFC 2985 §5.4.2)";
const SAN_MALFORMED = "the subjectAltName extension is malformed (RFC 5280 §4.2.1.6)";
const BASIC_CONSTRAINTS_MALFORMED = "the basicConstraints extension is malformed (RFC 5280 §4.2.1.9)";

/**
 * Reads the subjectAltName and basicConstraints of each extensionRequest value (whole DER
 * elements, from a request `isWellFormed` accepted); errors are messages.
 */
export function readRequestedExtensions(
  extensionRequests: readonly Uint8Array[],
): Result<RequestedExtensions, string> {
  const out: Collected = { dnsNames: [], ipAddresses: [], otherSanCount: 0, requestsCa: false };
  for (const value of extensionRequests) {
    const problem = readExtensions(value, out);
    if (problem !== undefined) return err(problem);
  }
  return ok(out);
}

/**
 * Extensions ::= SEQUENCE OF SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT
 * FALSE, extnValue OCTET STRING } (RFC 5280 §4.1). Every extension's shape is checked before
 * any is read; then the subjectAltName and basicConstraints values are read in order. Answers
 * the message of the first problem, if any.
 */
function readExtensions(value: Uint8Array, out: Collected): string | undefined {
  const outer = readWhole(value, TAG_SEQUENCE);
  if (outer === undefined) return NOT_EXTENSIONS;
  for (
    let extension = firstChild(value, 0);
    extension >= 0;
    extension = nextSibling(value, extension, value.length)
  ) {
    if (extnValueOf(value, extension) < 0) return NOT_EXTENSIONS;
  }
  for (
    let extension = firstChild(value, 0);
    extension >= 0;
    extension = nextSibling(value, extension, value.length)
  ) {
    const id = firstChild(value, extension);
    const extnValue = extnValueOf(value, extension);
    const start = valueStartOf(value, extnValue);
    const end = elementEnd(value, extnValue);
    if (elementIs(value, id, SUBJECT_ALT_NAME)) {
      const problem = readGeneralNames(value, start, end, out);
      if (problem !== undefined) return problem;
    } else if (elementIs(value, id, BASIC_CONSTRAINTS) && !out.requestsCa) {
      const isCa = readBasicConstraintsCa(value, start, end);
      if (isCa === undefined) return BASIC_CONSTRAINTS_MALFORMED;
      out.requestsCa = isCa;
    }
  }
  return undefined;
}

/** The offset of the extnValue of the Extension at `offset`; -1 when it is not that shape. */
function extnValueOf(value: Uint8Array, offset: number): number {
  if (value[offset] !== TAG_SEQUENCE) return -1;
  const end = elementEnd(value, offset);
  const id = firstChild(value, offset);
  const second = nextSibling(value, id, end);
  // The critical flag is optional; its value does not matter here.
  const extnValue = second >= 0 && value[second] === TAG_BOOLEAN ? nextSibling(value, second, end) : second;
  if (id < 0 || value[id] !== TAG_OID || extnValue < 0 || value[extnValue] !== TAG_OCTET_STRING) return -1;
  return nextSibling(value, extnValue, end) >= 0 ? -1 : extnValue;
}

/**
 * Whether `bytes[start..end)` is exactly one SEQUENCE whose children tile it: the contents of an
 * OCTET STRING, which `isWellFormed` did not look into, so they are checked before being walked.
 */
function isSequence(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    start < end &&
    bytes[start] === TAG_SEQUENCE &&
    elementEnd(bytes, start, end) === end &&
    tiles(bytes, valueStartOf(bytes, start), end)
  );
}

/**
 * BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
 * (RFC 5280 §4.2.1.9), the extnValue contents `bytes[start..end)`: whether cA is set, undefined
 * when malformed. Any non-zero cA octet counts as true: a request for a CA certificate must not
 * slip through on a non-DER TRUE.
 */
function readBasicConstraintsCa(bytes: Uint8Array, start: number, end: number): boolean | undefined {
  if (!isSequence(bytes, start, end)) return undefined;
  const first = firstChild(bytes, start);
  const isCa = first >= 0 && bytes[first] === TAG_BOOLEAN;
  const pathLen = isCa ? nextSibling(bytes, first, end) : first;
  if (nextSibling(bytes, pathLen, end) >= 0 || (pathLen >= 0 && bytes[pathLen] !== TAG_INTEGER))
    return undefined;
  if (!isCa) return false;
  const valueEnd = elementEnd(bytes, first, end);
  for (let i = valueStartOf(bytes, first); i < valueEnd; i++) if (bytes[i] !== 0) return true;
  return false;
}

/**
 * RFC 5280 §4.2.1.6 GeneralNames, the extnValue contents `bytes[start..end)`, walked by tag:
 * [2] dNSName IA5String, [7] iPAddress OCTET STRING; every other form is only counted so the
 * caller can refuse it. Answers the message of the first problem, if any.
 */
function readGeneralNames(bytes: Uint8Array, start: number, end: number, out: Collected): string | undefined {
  if (!isSequence(bytes, start, end)) return SAN_MALFORMED;
  for (let name = firstChild(bytes, start); name >= 0; name = nextSibling(bytes, name, end)) {
    const valueStart = valueStartOf(bytes, name);
    const valueEnd = elementEnd(bytes, name, end);
    if (bytes[name] === 0x82) {
      // IA5String is 7-bit; anything else is not a DNS name (U-labels must be sent as A-labels).
      for (let i = valueStart; i < valueEnd; i++)
        if (bytes[i]! > 0x7f) return "a subjectAltName dNSName is not ASCII (IA5String)";
      out.dnsNames.push(
        Buffer.from(bytes.buffer, bytes.byteOffset + valueStart, valueEnd - valueStart).toString("latin1"),
      );
    } else if (bytes[name] === 0x87) {
      const ip = ipFromBytes(bytes.subarray(valueStart, valueEnd));
      if (ip === undefined) return "a subjectAltName iPAddress is not 4 or 16 octets (RFC 5280 §4.2.1.6)";
      out.ipAddresses.push(ip);
    } else {
      out.otherSanCount++;
    }
  }
  return undefined;
}
