import { generateKeyPairSync } from "node:crypto";
import { createLocalCertificateAuthority, type LocalCertificateAuthority } from "@acme-endpoints/core";
import { createMemoryStorage } from "@acme-endpoints/storage-memory";

export interface LoopbackTls {
  /** PKCS#8 PEM private key of the server certificate. */
  readonly key: string;
  /** The server certificate and its intermediate, PEM. */
  readonly chainPem: string;
  /** The root a client trusts, PEM. */
  readonly rootPem: string;
}

/**
 * A P-256 TLS certificate for 127.0.0.1 and localhost from a local CA (`ca`, or a throwaway one
 * named `commonNamePrefix`): every bench server listens on loopback only.
 */
export async function loopbackTls(
  ca: LocalCertificateAuthority = createLocalCertificateAuthority({
    store: createMemoryStorage().caMaterials,
    commonNamePrefix: "acme-endpoints bench",
  }),
): Promise<LoopbackTls> {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const issued = await ca.issue({
    endpointId: "bench-tls",
    publicKey,
    names: [
      { type: "ip", value: "127.0.0.1" },
      { type: "dns", value: "localhost" },
    ],
  });
  const rootPem = await ca.rootCertificatePem();
  if (issued.isErr() || rootPem.isErr()) throw new Error("the local CA could not issue a TLS certificate");
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    chainPem: issued.value.chainPem,
    rootPem: rootPem.value,
  };
}
