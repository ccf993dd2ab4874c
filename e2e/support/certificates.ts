import "reflect-metadata";
import { createPublicKey } from "node:crypto";
import { BasicConstraintsExtension, SubjectAlternativeNameExtension, X509Certificate } from "@peculiar/x509";

export type ExpectedKey =
  | { readonly kind: "EC"; readonly curve: "prime256v1" | "secp384r1" }
  | { readonly kind: "RSA"; readonly bits: number };

export interface ChainCheck {
  /** Human-readable failures; empty when the chain is good. */
  readonly problems: string[];
  readonly leaf: X509Certificate | undefined;
  /** One line per certificate (subject, issuer, serial, validity) for failure messages. */
  readonly summary: string;
}

/** Splits a PEM bundle into certificates, in order. */
export function parseCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

function describeKey(spkiDer: ArrayBuffer): string {
  const key = createPublicKey({ key: Buffer.from(spkiDer), format: "der", type: "spki" });
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec") return `EC ${details.namedCurve}`;
  if (key.asymmetricKeyType === "rsa") return `RSA ${details.modulusLength}`;
  return String(key.asymmetricKeyType);
}

function expectedKeyText(key: ExpectedKey): string {
  return key.kind === "EC" ? `EC ${key.curve}` : `RSA ${key.bits}`;
}

function isCa(cert: X509Certificate): boolean {
  return cert.getExtension(BasicConstraintsExtension)?.ca === true;
}

async function signedBy(cert: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ publicKey: issuer, signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * Checks what an ACME client saved: `chainPem` must be exactly the leaf followed by the
 * intermediate; the leaf names exactly `names` (DNS SANs), carries a key of the expected type,
 * matches `privateKeyPem` if given, and is signed by the intermediate, which is a CA signed by
 * the (self-signed) root in `rootPem`.
 */
export async function checkIssuedChain(input: {
  readonly chainPem: string;
  readonly rootPem: string;
  readonly names: readonly string[];
  readonly key: ExpectedKey;
  readonly privateKeyPem?: string;
}): Promise<ChainCheck> {
  const problems: string[] = [];
  const chain = parseCertificates(input.chainPem);
  const roots = parseCertificates(input.rootPem);
  const line = (role: string, c: X509Certificate | undefined) =>
    c
      ? `${role}: subject="${c.subject}" issuer="${c.issuer}" serial=${c.serialNumber} ${c.notBefore.toISOString()}..${c.notAfter.toISOString()} key=${describeKey(c.publicKey.rawData)}`
      : `${role}: missing`;
  const summary = [
    ...chain.map((c, i) => line(["leaf", "intermediate"][i] ?? `extra #${i}`, c)),
    line("root (tlsCaFile)", roots[0]),
  ].join("\n");

  const [leaf, intermediate] = chain;
  const root = roots[0];
  if (chain.length !== 2)
    problems.push(`chain has ${chain.length} certificates, expected 2 (leaf + intermediate)`);
  if (!root) problems.push("tlsCaFile holds no certificate");
  if (!leaf) return { problems, leaf, summary };

  const san = leaf.getExtension(SubjectAlternativeNameExtension);
  const sanNames = (san?.names.items ?? []).map((n) => `${n.type}:${n.value}`).sort();
  const wanted = input.names.map((n) => `dns:${n}`).sort();
  if (JSON.stringify(sanNames) !== JSON.stringify(wanted)) {
    problems.push(`leaf SAN is [${sanNames.join(", ")}], expected [${wanted.join(", ")}]`);
  }

  const leafKey = describeKey(leaf.publicKey.rawData);
  if (leafKey !== expectedKeyText(input.key)) {
    problems.push(`leaf key is ${leafKey}, expected ${expectedKeyText(input.key)}`);
  }
  if (input.privateKeyPem !== undefined) {
    const fromPrivate = createPublicKey(input.privateKeyPem).export({ format: "der", type: "spki" });
    if (!fromPrivate.equals(Buffer.from(leaf.publicKey.rawData))) {
      problems.push("leaf public key does not match the client's private key");
    }
  }
  if (isCa(leaf)) problems.push("leaf is a CA certificate");
  const now = Date.now();
  if (leaf.notBefore.getTime() > now + 5 * 60_000)
    problems.push(`leaf not valid before ${leaf.notBefore.toISOString()}`);
  if (leaf.notAfter.getTime() <= now) problems.push(`leaf expired at ${leaf.notAfter.toISOString()}`);

  if (intermediate) {
    if (leaf.issuer !== intermediate.subject) {
      problems.push(
        `leaf issuer "${leaf.issuer}" is not the intermediate's subject "${intermediate.subject}"`,
      );
    }
    if (!(await signedBy(leaf, intermediate)))
      problems.push("leaf signature does not verify with the intermediate's key");
    if (!isCa(intermediate)) problems.push("intermediate lacks basicConstraints CA:true");
    if (root) {
      if (intermediate.issuer !== root.subject) {
        problems.push(
          `intermediate issuer "${intermediate.issuer}" is not the root's subject "${root.subject}"`,
        );
      }
      if (!(await signedBy(intermediate, root))) {
        problems.push("intermediate signature does not verify with the root's key (tlsCaFile)");
      }
      if (intermediate.subject === root.subject)
        problems.push("the chain's second certificate is the root itself");
    }
  }
  if (root && !(await signedBy(root, root))) problems.push("root in tlsCaFile is not self-signed");
  return { problems, leaf, summary };
}
