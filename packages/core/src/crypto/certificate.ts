import { Buffer } from "node:buffer";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { Result } from "neverthrow";

export interface CertificateIdentity {
  /** Lower-case hex, no leading zeros (as the CA records it). */
  readonly serial: string;
  readonly spkiDer: Uint8Array;
}

/** The serial and public key of a DER certificate (RFC 5280 §4.1); err for anything else. */
export const certificateIdentity = Result.fromThrowable(
  (der: Uint8Array): CertificateIdentity => {
    const cert = AsnConvert.parse(der, Certificate);
    const serial = Buffer.from(cert.tbsCertificate.serialNumber)
      .toString("hex")
      .replace(/^0+(?=.)/, "");
    const spkiDer = new Uint8Array(AsnConvert.serialize(cert.tbsCertificate.subjectPublicKeyInfo));
    return { serial, spkiDer };
  },
  () => "not a DER X.509 certificate",
);

/** The DER of the first certificate of a PEM chain (the leaf). */
export function leafDer(chainPem: string): Uint8Array {
  const match = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(chainPem);
  return new Uint8Array(Buffer.from((match?.[1] ?? "").replace(/\s+/g, ""), "base64"));
}
