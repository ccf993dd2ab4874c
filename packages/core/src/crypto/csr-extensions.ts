import { Buffer } from "node:buffer";
import type { Attributes } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Extensions,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
} from "@peculiar/asn1-x509";
import { err, ok, Result, safeTry } from "neverthrow";
import { readChildren, readTlv, tlvValue } from "./der.js";
import { ipFromBytes } from "./ip.js";

/** PKCS#9 extensionRequest (RFC 2985 §5.4.2): the extensions a CSR asks for. */
const EXTENSION_REQUEST = "1.2.840.113549.1.9.14";

/** What the CSR's requested extensions say, as far as ACME finalize cares. */
export interface RequestedExtensions {
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly otherSanCount: number;
  readonly requestsCa: boolean;
}

const parseExtensions = Result.fromThrowable(
  (der: ArrayBuffer) => AsnConvert.parse(der, Extensions),
  () => "the extensionRequest attribute is not a valid Extensions value (RFC 2985 §5.4.2)",
);

const parseBasicConstraints = Result.fromThrowable(
  (der: ArrayBuffer) => AsnConvert.parse(der, BasicConstraints),
  () => "the basicConstraints extension is malformed (RFC 5280 §4.2.1.9)",
);

/** Reads the subjectAltName and basicConstraints of every extensionRequest attribute; errors are messages. */
export function readRequestedExtensions(
  attributes: Attributes | undefined,
): Result<RequestedExtensions, string> {
  return safeTry(function* () {
    const out = {
      dnsNames: [] as string[],
      ipAddresses: [] as string[],
      otherSanCount: 0,
      requestsCa: false,
    };
    for (const attribute of attributes ?? []) {
      if (attribute.type !== EXTENSION_REQUEST) continue;
      for (const value of attribute.values) {
        for (const extension of yield* parseExtensions(value)) {
          const v = extension.extnValue;
          const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
          if (extension.extnID === id_ce_subjectAltName) {
            yield* readGeneralNames(bytes, out);
          } else if (extension.extnID === id_ce_basicConstraints) {
            const constraints = yield* parseBasicConstraints(bytes.slice().buffer);
            out.requestsCa ||= constraints.cA;
          }
        }
      }
    }
    return ok(out);
  });
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
  const outer = readTlv(bytes, 0);
  const names =
    outer && outer.tag === 0x30 && outer.end === bytes.length ? readChildren(bytes, outer) : undefined;
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
