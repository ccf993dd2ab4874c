import { Buffer } from "node:buffer";
import { err, ok, type Result, safeTry } from "neverthrow";
import type { CsrAttribute } from "./csr-structure.js";
import {
  readChildren,
  readOid,
  readWhole,
  TAG_BOOLEAN,
  TAG_INTEGER,
  TAG_OCTET_STRING,
  TAG_SEQUENCE,
  tlvValue,
} from "./der.js";
import { ipFromBytes } from "./ip.js";

/** PKCS#9 extensionRequest (RFC 2985 §5.4.2): the extensions a CSR asks for. */
const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const SUBJECT_ALT_NAME = "2.5.29.17";
const BASIC_CONSTRAINTS = "2.5.29.19";

/** What the CSR's requested extensions say, as far as ACME finalize cares. */
export interface RequestedExtensions {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly otherSanCount: number;
  readonly requestsCa: boolean;
}

const NOT_EXTENSIONS = "the extensionRequest attribute is not a valid Extensions value (RFC 2985 §5.4.2)";

/** Reads the subjectAltName and basicConstraints of every extensionRequest attribute; errors are messages. */
export function readRequestedExtensions(
  attributes: readonly CsrAttribute[],
): Result<RequestedExtensions, string> {
  return safeTry(function* () {
    const out = {
      dnsNames: [] as string[],
      ipAddresses: [] as string[],
      otherSanCount: 0,
      requestsCa: false,
    };
    for (const attribute of attributes) {
      if (attribute.type !== EXTENSION_REQUEST) continue;
      for (const value of attribute.values) {
        for (const { id, bytes } of yield* readExtensions(value)) {
          if (id === SUBJECT_ALT_NAME) {
            yield* readGeneralNames(bytes, out);
          } else if (id === BASIC_CONSTRAINTS) {
            out.requestsCa ||= yield* readBasicConstraintsCa(bytes);
          }
        }
      }
    }
    return ok(out);
  });
}

/**
 * Extensions ::= SEQUENCE OF SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT
 * FALSE, extnValue OCTET STRING } (RFC 5280 §4.1): each extension's id and value octets.
 */
function readExtensions(value: Uint8Array): Result<{ id: string; bytes: Uint8Array }[], string> {
  const outer = readWhole(value, TAG_SEQUENCE);
  const list = outer && readChildren(value, outer);
  if (list === undefined) return err(NOT_EXTENSIONS);
  const out: { id: string; bytes: Uint8Array }[] = [];
  for (const extension of list) {
    const fields = extension.tag === TAG_SEQUENCE ? readChildren(value, extension) : undefined;
    const [idTlv, ...rest] = fields ?? [];
    const id = idTlv && readOid(value, idTlv);
    // The critical flag is optional; its value does not matter here.
    const [extnValue, extra] = rest[0]?.tag === TAG_BOOLEAN ? rest.slice(1) : rest;
    if (!id || extnValue?.tag !== TAG_OCTET_STRING || extra !== undefined) return err(NOT_EXTENSIONS);
    out.push({ id, bytes: tlvValue(value, extnValue) });
  }
  return ok(out);
}

/**
 * BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
 * (RFC 5280 §4.2.1.9). Any non-zero cA octet counts as true: a request for a CA certificate
 * must not slip through on a non-DER TRUE.
 */
function readBasicConstraintsCa(bytes: Uint8Array): Result<boolean, string> {
  const outer = readWhole(bytes, TAG_SEQUENCE);
  const fields = outer && readChildren(bytes, outer);
  const [cA, ...rest] = fields ?? [];
  const isCa = cA?.tag === TAG_BOOLEAN;
  const [pathLen, extra] = isCa ? rest : (fields ?? []);
  if (!fields || extra !== undefined || (pathLen !== undefined && pathLen.tag !== TAG_INTEGER))
    return err("the basicConstraints extension is malformed (RFC 5280 §4.2.1.9)");
  return ok(isCa && tlvValue(bytes, cA).some((octet) => octet !== 0));
}

/**
 * RFC 5280 §4.2.1.6 GeneralNames, walked by tag: [2] dNSName IA5String, [7] iPAddress OCTET
 * STRING; every other form is only counted so the caller can refuse it.
 */
function readGeneralNames(
  bytes: Uint8Array,
  out: { dnsNames: string[]; ipAddresses: string[]; otherSanCount: number },
): Result<void, string> {
  const malformed = "the subjectAltName extension is malformed (RFC 5280 §4.2.1.6)";
  const outer = readWhole(bytes, TAG_SEQUENCE);
  const names = outer && readChildren(bytes, outer);
  if (names === undefined) return err(malformed);
  for (const name of names) {
    const value = tlvValue(bytes, name);
    if (name.tag === 0x82) {
      // IA5String is 7-bit; anything else is not a DNS name (U-labels must be sent as A-labels).
      if (value.some((octet) => octet > 0x7f))
        return err("a subjectAltName dNSName is not ASCII (IA5String)");
      out.dnsNames.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1"));
    } else if (name.tag === 0x87) {
      const ip = ipFromBytes(value);
      if (ip === undefined)
        return err("a subjectAltName iPAddress is not 4 or 16 octets (RFC 5280 §4.2.1.6)");
      out.ipAddresses.push(ip);
    } else {
      out.otherSanCount++;
    }
  }
  return ok(undefined);
}
