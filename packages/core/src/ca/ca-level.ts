import { Buffer } from "node:buffer";
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  X509Certificate,
} from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  Extensions,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  type Name,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { err, ok, Result, ResultAsync, safeTry } from "neverthrow";
import { derToPem, pemBlocks } from "../crypto/pem.js";
import { spkiDerOf } from "../crypto/spki.js";
import {
  arrayBuffer,
  type CaSigner,
  commonNameOnly,
  ecdsaSigner,
  extension,
  keyIdentifier,
  randomSerial,
  signCertificate,
} from "./x509-builder.js";

/**
 * One level of the local CA hierarchy (root or intermediate), loaded and checked: its key,
 * certificate, and what certificates it signs need from it.
 */
export interface CaLevel {
  readonly signer: CaSigner;
  readonly certificatePem: string;
  readonly certificate: X509Certificate;
  /** Its subject, as the issuer Name of what it signs (same encoding, so chains build by bytes). */
  readonly subject: Name;
  /** Its subjectKeyIdentifier: the authorityKeyIdentifier of what it signs (RFC 5280 §4.2.1.1). */
  readonly keyIdentifier: Uint8Array;
  readonly notAfter: Date;
}

export interface CaLevelProfile {
  readonly curve: "P-256" | "P-384";
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

const generateEcKey = (curve: string) =>
  ResultAsync.fromPromise(
    new Promise<KeyObject>((resolve, reject) =>
      generateKeyPair("ec", { namedCurve: curve }, (error, _publicKey, privateKey) =>
        error ? reject(error) : resolve(privateKey),
      ),
    ),
    (cause) => `CA key generation failed: ${String(cause)}`,
  );

/**
 * Generates a key and certificate for a CA level and answers them as one PEM blob (PKCS#8 key,
 * then certificate), so a stored key and certificate can never be mismatched.
 * The root is self-signed (no `issuer`); an intermediate gets pathLenConstraint 0.
 */
export function createCaLevel(profile: CaLevelProfile, issuer?: CaLevel): ResultAsync<string, string> {
  return generateEcKey(profile.curve).andThen((privateKey) =>
    Result.fromThrowable(
      () => buildCaLevel(profile, privateKey, issuer),
      (cause) => `CA certificate could not be built: ${String(cause)}`,
    )().andThen((built) => built),
  );
}

function buildCaLevel(
  profile: CaLevelProfile,
  privateKey: KeyObject,
  issuer: CaLevel | undefined,
): Result<string, string> {
  return safeTry(function* () {
    const signer = issuer?.signer ?? (yield* ecdsaSigner(privateKey));
    const spki = AsnConvert.parse(spkiDerOf(createPublicKey(privateKey)), SubjectPublicKeyInfo);
    const subject = commonNameOnly(profile.commonName);
    const extensions = [
      // RFC 5280 §4.2.1.9: critical in CA certificates; pathLen 0 lets the intermediate sign leaves only.
      extension(
        id_ce_basicConstraints,
        true,
        new BasicConstraints({ cA: true, ...(issuer ? { pathLenConstraint: 0 } : {}) }),
      ),
      // RFC 5280 §4.2.1.3: a CA signs certificates and CRLs.
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(spki))),
    ];
    // RFC 5280 §4.2.1.1: required except in self-signed certificates.
    if (issuer) {
      const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(issuer.keyIdentifier) });
      extensions.push(extension(id_ce_authorityKeyIdentifier, false, aki));
    }
    const tbs = new TBSCertificate({
      version: Version.v3,
      serialNumber: arrayBuffer(randomSerial().bytes),
      signature: signer.algorithm,
      issuer: issuer?.subject ?? subject,
      validity: new Validity({ notBefore: profile.notBefore, notAfter: profile.notAfter }),
      subject,
      subjectPublicKeyInfo: spki,
      extensions: new Extensions(extensions),
    });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    return ok(`${keyPem.trimEnd()}\n${derToPem("CERTIFICATE", signCertificate(tbs, signer))}`);
  });
}

const parseCertificate = Result.fromThrowable(
  (der: Uint8Array) => ({ node: new X509Certificate(der), asn: AsnConvert.parse(der, Certificate) }),
  () => "its certificate is not a valid X.509 certificate",
);

const importPrivateKey = Result.fromThrowable(
  (der: Uint8Array) => createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" }),
  () => "its private key is not a valid PKCS#8 key",
);

const parseKeyIdentifier = Result.fromThrowable(
  (der: ArrayBuffer) => new Uint8Array(AsnConvert.parse(der, SubjectKeyIdentifier).buffer),
  () => "its subjectKeyIdentifier extension is malformed",
);

/**
 * Loads a stored CA level blob and checks it: the key is the certificate's, the certificate is
 * a CA, and it is signed by `issuer` (or by itself for the root). Errors are messages.
 */
export function decodeCaLevel(blob: string, issuer?: CaLevel): Result<CaLevel, string> {
  return safeTry(function* () {
    const blocks = pemBlocks(blob);
    const keyBlock = blocks.find((b) => b.label === "PRIVATE KEY");
    const certBlock = blocks.find((b) => b.label === "CERTIFICATE");
    if (!keyBlock || !certBlock) return err("it must hold a PRIVATE KEY and a CERTIFICATE PEM block");
    const privateKey = yield* importPrivateKey(keyBlock.der);
    const signer = yield* ecdsaSigner(privateKey);
    const { node, asn } = yield* parseCertificate(certBlock.der);
    if (!node.ca) return err("its certificate is not a CA certificate (basicConstraints cA)");
    if (!node.checkPrivateKey(privateKey)) return err("its private key does not match its certificate");
    const signedBy = issuer?.certificate ?? node;
    if (!node.checkIssued(signedBy) || !node.verify(signedBy.publicKey)) {
      return err(
        issuer ? "its certificate is not signed by the stored root CA" : "its certificate is not self-signed",
      );
    }
    const tbs = asn.tbsCertificate;
    const skiExtension = tbs.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
    const v = skiExtension?.extnValue;
    const ski = v
      ? yield* parseKeyIdentifier(arrayBuffer(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)))
      : keyIdentifier(tbs.subjectPublicKeyInfo);
    return ok({
      signer,
      certificatePem: derToPem("CERTIFICATE", certBlock.der),
      certificate: node,
      subject: tbs.subject,
      keyIdentifier: ski,
      notAfter: tbs.validity.notAfter.getTime(),
    });
  });
}
