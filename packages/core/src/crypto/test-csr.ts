import { Buffer } from "node:buffer";
import { constants, createPublicKey, type KeyObject, sign } from "node:crypto";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Attribute,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Extension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";

/**
 * Test support: builds real, signed PKCS#10 CSRs (RFC 2986) from node:crypto keys, the way an
 * ACME client would for finalize. Unlike the rest of the package this throws on misuse (an
 * unsupported key), as tests want.
 */
export interface TestCsrOptions {
  readonly privateKey: KeyObject;
  /** One commonName, or several (each in its own RDN, in order). */
  readonly commonName?: string | readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** rfc822Name SAN entries: a kind ACME does not issue for. */
  readonly emails?: readonly string[];
  /** Adds a basicConstraints cA:true extension request. */
  readonly requestCa?: boolean;
  /** RSA keys: sign with RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-byte salt) instead of PKCS#1 v1.5. */
  readonly rsaPss?: boolean;
}

/** RFC 4055 §3.1 RSASSA-PSS-params { sha256, mgf1SHA256, saltLength 32 }, DER. */
const PSS_SHA256_PARAMS = Uint8Array.from(
  Buffer.from(
    "3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120",
    "hex",
  ),
);

/** Returns the CSR DER. */
export function createTestCsr(options: TestCsrOptions): Uint8Array {
  const { privateKey } = options;
  const spkiDer = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  const info = new CertificationRequestInfo({
    version: 0,
    subject: subjectName(options.commonName),
    subjectPKInfo: AsnConvert.parse(spkiDer, SubjectPublicKeyInfo),
    attributes: extensionRequest(options),
  });
  const tbs = new Uint8Array(AsnConvert.serialize(info));
  const { algorithm, signature } = signRequest(privateKey, tbs, options.rsaPss === true);
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: algorithm,
    signature: signature.buffer.slice(
      signature.byteOffset,
      signature.byteOffset + signature.byteLength,
    ) as ArrayBuffer,
  });
  return new Uint8Array(AsnConvert.serialize(request));
}

function subjectName(commonName: string | readonly string[] | undefined): Name {
  const names = commonName === undefined ? [] : typeof commonName === "string" ? [commonName] : commonName;
  return new Name(
    names.map((utf8String) => {
      const cn = new AttributeTypeAndValue({ type: "2.5.4.3", value: new AttributeValue({ utf8String }) });
      return new RelativeDistinguishedName([cn]);
    }),
  );
}

function extensionRequest(options: TestCsrOptions): Attributes {
  const names = [
    ...(options.dnsNames ?? []).map((dNSName) => new GeneralName({ dNSName })),
    ...(options.ipAddresses ?? []).map((iPAddress) => new GeneralName({ iPAddress })),
    ...(options.emails ?? []).map((rfc822Name) => new GeneralName({ rfc822Name })),
  ];
  const extensions: Extension[] = [];
  if (names.length > 0) {
    const san = AsnConvert.serialize(new SubjectAlternativeName(names));
    extensions.push(
      new Extension({ extnID: id_ce_subjectAltName, critical: false, extnValue: new OctetString(san) }),
    );
  }
  if (options.requestCa) {
    const bc = AsnConvert.serialize(new BasicConstraints({ cA: true }));
    extensions.push(
      new Extension({ extnID: id_ce_basicConstraints, critical: true, extnValue: new OctetString(bc) }),
    );
  }
  if (extensions.length === 0) return new Attributes();
  const value = AsnConvert.serialize(new Extensions(extensions));
  // PKCS#9 extensionRequest (RFC 2985 §5.4.2)
  return new Attributes([new Attribute({ type: "1.2.840.113549.1.9.14", values: [value] })]);
}

function signRequest(
  key: KeyObject,
  tbs: Uint8Array,
  pss: boolean,
): { algorithm: AlgorithmIdentifier; signature: Uint8Array } {
  switch (key.asymmetricKeyType) {
    case "rsa":
      if (pss) {
        const params = PSS_SHA256_PARAMS.buffer.slice(0) as ArrayBuffer;
        return {
          algorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.10", parameters: params }),
          signature: sign("sha256", tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
        };
      }
      // RFC 4055 §5: PKCS#1 v1.5 algorithm identifiers carry NULL parameters.
      return {
        algorithm: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: null }),
        signature: sign("sha256", tbs, key),
      };
    case "ec": {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      const [hash, oid] =
        curve === "secp384r1"
          ? ["sha384", "1.2.840.10045.4.3.3"]
          : curve === "secp521r1"
            ? ["sha512", "1.2.840.10045.4.3.4"]
            : ["sha256", "1.2.840.10045.4.3.2"];
      return {
        algorithm: new AlgorithmIdentifier({ algorithm: oid }),
        signature: sign(hash, tbs, { key, dsaEncoding: "der" }),
      };
    }
    case "ed25519":
      return {
        algorithm: new AlgorithmIdentifier({ algorithm: "1.3.101.112" }),
        signature: sign(null, tbs, key),
      };
    case "ed448":
      return {
        algorithm: new AlgorithmIdentifier({ algorithm: "1.3.101.113" }),
        signature: sign(null, tbs, key),
      };
    default:
      throw new Error(`createTestCsr: unsupported key type ${key.asymmetricKeyType}`);
  }
}
