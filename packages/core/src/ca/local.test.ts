import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, type KeyObject, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  type Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  id_kp_serverAuth,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from "@peculiar/asn1-x509";
import { errAsync, okAsync } from "neverthrow";
import { describe, expect, it } from "vitest";
import { pemBlocks } from "../crypto/pem.js";
import type { IssueRequest } from "../ports/certificate-authority.js";
import type { Clock } from "../ports/clock.js";
import type { CaMaterialStore, StorageResult } from "../ports/storage.js";
import { createLocalCertificateAuthority, LOCAL_CA_INTERMEDIATE, LOCAL_CA_ROOT } from "./local.js";

/** A CaMaterialStore on a Map, with a switch to make it fail like a database that is down. */
function memoryStore() {
  const blobs = new Map<string, string>();
  const calls = { get: 0, putIfAbsent: 0 };
  let down = false;
  const failure = (): StorageResult<never> => errAsync({ type: "failure", message: "database is down" });
  const store: CaMaterialStore = {
    get(name) {
      calls.get++;
      return down ? failure() : okAsync(blobs.get(name));
    },
    putIfAbsent(name, value) {
      calls.putIfAbsent++;
      if (down) return failure();
      if (!blobs.has(name)) blobs.set(name, value);
      return okAsync(blobs.get(name) ?? value);
    },
  };
  return { store, blobs, calls, setDown: (value: boolean) => (down = value) };
}

const DAY = 86_400_000;
const publicKey = (key: KeyObject) => createPublicKey(key);
const keys = {
  p256: publicKey(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey),
  p384: publicKey(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey),
  rsa2048: publicKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey),
  ed25519: publicKey(generateKeyPairSync("ed25519").privateKey),
};

const request = (overrides: Partial<IssueRequest> = {}): IssueRequest => ({
  endpointId: "endpoint-1",
  publicKey: keys.p256,
  names: [
    { type: "dns", value: "www.example.com" },
    { type: "dns", value: "example.com" },
  ],
  ...overrides,
});

const certificates = (pem: string) => pemBlocks(pem).map((b) => new X509Certificate(b.der));

function asn1(cert: X509Certificate): Certificate {
  return AsnConvert.parse(cert.raw, Certificate);
}

function extensions(cert: X509Certificate): Map<string, Extension> {
  return new Map((asn1(cert).tbsCertificate.extensions ?? []).map((e) => [e.extnID, e]));
}

function extensionValue<T>(
  cert: X509Certificate,
  oid: string,
  type: new () => T,
): { critical: boolean; value: T } {
  const extension = extensions(cert).get(oid);
  if (!extension) throw new Error(`no extension ${oid}`);
  const v = extension.extnValue;
  return {
    critical: extension.critical,
    value: AsnConvert.parse(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), type),
  };
}

const bytesOf = (view: ArrayBufferView | ArrayBuffer): string =>
  view instanceof ArrayBuffer
    ? Buffer.from(view).toString("hex")
    : Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("hex");

function sanOf(cert: X509Certificate): string[] {
  return extensionValue(cert, id_ce_subjectAltName, SubjectAlternativeName).value.map(
    (n) => n.dNSName ?? n.iPAddress ?? "?",
  );
}

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("createLocalCertificateAuthority", () => {
  const { store } = memoryStore();
  const ca = createLocalCertificateAuthority({ store });

  it("creates a root and an intermediate CA", async () => {
    expect((await ca.provision("endpoint-1")).isOk()).toBe(true);
    const [root] = certificates((await ca.rootCertificatePem())._unsafeUnwrap());
    const [intermediate] = certificates((await ca.intermediateCertificatePem())._unsafeUnwrap());
    if (!root || !intermediate) throw new Error("missing certificates");

    expect(root.subject).toBe("CN=acme-endpoints local root CA");
    expect(root.verify(root.publicKey)).toBe(true);
    expect(root.checkIssued(root)).toBe(true);
    const rootBc = extensionValue(root, id_ce_basicConstraints, BasicConstraints);
    expect(rootBc).toMatchObject({ critical: true, value: { cA: true } });
    expect(rootBc.value.pathLenConstraint).toBeUndefined();
    const rootKu = extensionValue(root, id_ce_keyUsage, KeyUsage);
    expect(rootKu.critical).toBe(true);
    expect(rootKu.value.toNumber()).toBe(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign);
    const rootSki = bytesOf(extensionValue(root, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier).value);
    const rootYears = (Date.parse(root.validTo) - Date.parse(root.validFrom)) / (365 * DAY);
    expect(rootYears).toBeGreaterThan(9.9);

    expect(intermediate.subject).toBe("CN=acme-endpoints local intermediate CA");
    expect(intermediate.issuer).toBe(root.subject);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect(intermediate.checkIssued(root)).toBe(true);
    expect(extensionValue(intermediate, id_ce_basicConstraints, BasicConstraints)).toMatchObject({
      critical: true,
      value: { cA: true, pathLenConstraint: 0 },
    });
    const aki = extensionValue(intermediate, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier).value;
    expect(bytesOf(aki.keyIdentifier!)).toBe(rootSki);
    const years = (Date.parse(intermediate.validTo) - Date.parse(intermediate.validFrom)) / (365 * DAY);
    expect(years).toBeGreaterThan(4.9);
    expect(years).toBeLessThan(5.1);
    expect(asn1(intermediate).signatureAlgorithm.algorithm).toBe("1.2.840.10045.4.3.2"); // ecdsa-with-SHA256
  });

  it.each([
    ["ECDSA P-256", keys.p256, KeyUsageFlags.digitalSignature],
    ["ECDSA P-384", keys.p384, KeyUsageFlags.digitalSignature],
    ["RSA 2048", keys.rsa2048, KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment],
    ["Ed25519", keys.ed25519, KeyUsageFlags.digitalSignature],
  ])("issues a leaf certificate for an %s key", async (_label, key, keyUsage) => {
    const issued = (await ca.issue(request({ publicKey: key })))._unsafeUnwrap();
    const chain = certificates(issued.chainPem);
    expect(chain).toHaveLength(2);
    const [leaf, intermediate] = chain as [X509Certificate, X509Certificate];
    const [root] = certificates((await ca.rootCertificatePem())._unsafeUnwrap()) as [X509Certificate];

    expect(
      intermediate.raw.equals(certificates((await ca.intermediateCertificatePem())._unsafeUnwrap())[0]!.raw),
    ).toBe(true);
    expect(leaf.verify(intermediate.publicKey)).toBe(true);
    expect(leaf.checkIssued(intermediate)).toBe(true);
    expect(intermediate.verify(root.publicKey)).toBe(true);
    expect(leaf.publicKey.equals(key)).toBe(true);

    expect(leaf.subject).toBe("CN=www.example.com");
    expect(sanOf(leaf)).toEqual(["www.example.com", "example.com"]);
    expect(extensions(leaf).get(id_ce_subjectAltName)?.critical).toBe(false);
    expect(leaf.serialNumber.toLowerCase().replace(/^0+/, "")).toBe(issued.serial);
    expect(issued.serial).toMatch(/^[1-9a-f][0-9a-f]*$/);

    const ku = extensionValue(leaf, id_ce_keyUsage, KeyUsage);
    expect(ku.critical).toBe(true);
    expect(ku.value.toNumber()).toBe(keyUsage);
    expect([...extensionValue(leaf, id_ce_extKeyUsage, ExtendedKeyUsage).value]).toEqual([
      id_kp_serverAuth,
      id_kp_clientAuth,
    ]);
    const bc = extensionValue(leaf, id_ce_basicConstraints, BasicConstraints);
    expect(bc.critical).toBe(true);
    expect(bc.value.cA).toBe(false);
    expect(leaf.ca).toBe(false);
    const interSki = bytesOf(
      extensionValue(intermediate, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier).value,
    );
    const aki = extensionValue(leaf, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier).value;
    expect(bytesOf(aki.keyIdentifier!)).toBe(interSki);
    expect(
      bytesOf(extensionValue(leaf, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier).value),
    ).toHaveLength(40);
    expect(asn1(leaf).signatureAlgorithm.algorithm).toBe("1.2.840.10045.4.3.2");
  });

  it.runIf(hasOpenssl)(
    "issues chains that `openssl verify -x509_strict -purpose sslserver` accepts",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "local-ca-"));
      try {
        writeFileSync(join(dir, "root.pem"), (await ca.rootCertificatePem())._unsafeUnwrap());
        writeFileSync(join(dir, "intermediate.pem"), (await ca.intermediateCertificatePem())._unsafeUnwrap());
        const withCn = [
          { type: "dns", value: "www.example.com" },
          { type: "ip", value: "192.0.2.1" },
        ] as const;
        const withoutCn = [{ type: "ip", value: "2001:db8::7" }] as const;
        const cases = [
          [keys.p256, withCn],
          [keys.rsa2048, withCn],
          [keys.ed25519, withoutCn],
        ] as const;
        for (const [i, [key, names]] of cases.entries()) {
          const leafPem = pemBlocks(
            (await ca.issue(request({ publicKey: key, names })))._unsafeUnwrap().chainPem,
          )[0]!;
          const leafFile = join(dir, `leaf${i}.pem`);
          writeFileSync(
            leafFile,
            `-----BEGIN CERTIFICATE-----\n${Buffer.from(leafPem.der).toString("base64")}\n-----END CERTIFICATE-----\n`,
          );
          const out = execFileSync(
            "openssl",
            [
              "verify",
              "-x509_strict",
              "-purpose",
              "sslserver",
              "-CAfile",
              join(dir, "root.pem"),
              "-untrusted",
              join(dir, "intermediate.pem"),
              leafFile,
            ],
            { encoding: "utf8" },
          );
          expect(out.trim()).toBe(`${leafFile}: OK`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it("gives unique serials of more than 64 bits", async () => {
    const serials = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const { serial } = (await ca.issue(request()))._unsafeUnwrap();
      expect(BigInt(`0x${serial}`) > 2n ** 64n).toBe(true);
      serials.add(serial);
    }
    expect(serials.size).toBe(100);
  });

  it("puts IPv4 and IPv6 addresses in the subjectAltName, and leaves CN empty when the first DNS name is too long", async () => {
    const long = `${"a".repeat(60)}.example.com`;
    const names = [
      { type: "ip", value: "192.0.2.1" },
      { type: "dns", value: long },
      { type: "ip", value: "2001:DB8::1" },
      { type: "ip", value: "::ffff:198.51.100.7" },
    ] as const;
    const [leaf] = certificates((await ca.issue(request({ names })))._unsafeUnwrap().chainPem) as [
      X509Certificate,
    ];
    expect(sanOf(leaf)).toEqual(["192.0.2.1", long, "2001:db8::1", "::ffff:c633:6407"]);
    expect(asn1(leaf).tbsCertificate.subject).toHaveLength(0);
    // RFC 5280 §4.2.1.6: an empty subject makes the subjectAltName critical.
    expect(extensions(leaf).get(id_ce_subjectAltName)?.critical).toBe(true);
    expect(leaf.checkIP("192.0.2.1")).toBe("192.0.2.1");
    expect(leaf.checkIP("2001:db8::1")).toBe("2001:db8::1");
  });

  it("refuses requests it cannot issue for", async () => {
    const message = async (r: IssueRequest) => (await ca.issue(r))._unsafeUnwrapErr();
    expect(await message(request({ names: [] }))).toMatchObject({
      type: "caFailure",
      message: expect.stringMatching(/at least one/),
    });
    expect((await message(request({ names: [{ type: "ip", value: "300.1.1.1" }] }))).message).toMatch(
      /not an IPv4 or IPv6/,
    );
    expect((await message(request({ names: [{ type: "dns", value: "bücher.example" }] }))).message).toMatch(
      /A-labels/,
    );
    // The dNSName check: 1 to 253 characters 0x21-0x7e, nothing else (not even a trailing newline).
    for (const value of [
      "",
      "a b.example",
      "a\x7f.example",
      "example.test\n",
      "\x20",
      `${"a".repeat(254)}`,
    ]) {
      expect(
        (await message(request({ names: [{ type: "dns", value }] }))).message,
        JSON.stringify(value),
      ).toMatch(/A-labels/);
    }
    for (const value of ["!", "~.example", `${"a".repeat(253)}`]) {
      expect((await ca.issue(request({ names: [{ type: "dns", value }] }))).isOk(), value).toBe(true);
    }
    const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    expect((await message(request({ publicKey: privateKey }))).message).toMatch(/public key/);
    expect((await message(request({ publicKey: {} as KeyObject }))).message).toMatch(/public key/);
    expect((await message(request({ notBefore: new Date(Number.NaN) }))).message).toBe(
      "notBefore is not a valid date",
    );
    const x25519 = publicKey(generateKeyPairSync("x25519").privateKey);
    expect((await message(request({ publicKey: x25519 }))).message).toMatch(/x25519/);
  });
});

describe("local CA validity", () => {
  const now = new Date("2030-01-15T12:00:00.250Z");
  const clock: Clock = { now: () => now };
  const ca = createLocalCertificateAuthority({ store: memoryStore().store, clock });

  it("defaults to 90 days from a minute ago", async () => {
    const issued = (await ca.issue(request()))._unsafeUnwrap();
    const [leaf] = certificates(issued.chainPem) as [X509Certificate];
    expect(issued.notBefore.toISOString()).toBe("2030-01-15T11:59:00.000Z");
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(90 * DAY);
    expect(Date.parse(leaf.validFrom)).toBe(issued.notBefore.getTime());
    expect(Date.parse(leaf.validTo)).toBe(issued.notAfter.getTime());
  });

  it("honours a requested notBefore and notAfter", async () => {
    const notBefore = new Date("2030-02-01T00:00:00Z");
    const notAfter = new Date("2030-02-08T00:00:00Z");
    const issued = (await ca.issue(request({ notBefore, notAfter })))._unsafeUnwrap();
    const [leaf] = certificates(issued.chainPem) as [X509Certificate];
    expect(Date.parse(leaf.validFrom)).toBe(notBefore.getTime());
    expect(Date.parse(leaf.validTo)).toBe(notAfter.getTime());
    const onlyBefore = (await ca.issue(request({ notBefore })))._unsafeUnwrap();
    expect(onlyBefore.notAfter.getTime()).toBe(notBefore.getTime() + 90 * DAY);
  });

  it("refuses a notAfter before notBefore or past the intermediate's expiry", async () => {
    const bad = (
      await ca.issue(request({ notBefore: now, notAfter: new Date(now.getTime() - DAY) }))
    )._unsafeUnwrapErr();
    expect(bad.message).toMatch(/notAfter must be later/);
    const late = (await ca.issue(request({ notAfter: new Date("2040-01-01T00:00:00Z") })))._unsafeUnwrapErr();
    expect(late.message).toMatch(/past the issuing CA's expiry/);
  });

  it("uses a custom default validity and CA names", async () => {
    const custom = createLocalCertificateAuthority({
      store: memoryStore().store,
      clock,
      validityDays: 7,
      commonNamePrefix: "Test",
    });
    const issued = (await custom.issue(request()))._unsafeUnwrap();
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe(7 * DAY);
    expect(certificates(issued.chainPem)[1]?.subject).toBe("CN=Test intermediate CA");
  });
});

describe("local CA persistence", () => {
  it("reuses the CA kept in the store after a restart", async () => {
    const memory = memoryStore();
    const first = createLocalCertificateAuthority({ store: memory.store });
    const rootPem = (await first.rootCertificatePem())._unsafeUnwrap();
    expect([...memory.blobs.keys()].sort()).toEqual([LOCAL_CA_INTERMEDIATE, LOCAL_CA_ROOT]);
    expect(pemBlocks(memory.blobs.get(LOCAL_CA_ROOT)!).map((b) => b.label)).toEqual([
      "PRIVATE KEY",
      "CERTIFICATE",
    ]);

    const second = createLocalCertificateAuthority({ store: memory.store, keyAlgorithm: "P-384" });
    expect((await second.rootCertificatePem())._unsafeUnwrap()).toBe(rootPem);
    const [leaf, intermediate] = certificates(
      (await second.issue(request()))._unsafeUnwrap().chainPem,
    ) as X509Certificate[];
    const [root] = certificates(rootPem) as [X509Certificate];
    expect(leaf!.verify(intermediate!.publicKey) && intermediate!.verify(root.publicKey)).toBe(true);
    // The stored P-256 key keeps signing with SHA-256 whatever the new option says.
    expect(asn1(leaf!).signatureAlgorithm.algorithm).toBe("1.2.840.10045.4.3.2");
  });

  it("converges on one CA when two instances create it at once", async () => {
    const memory = memoryStore();
    const a = createLocalCertificateAuthority({ store: memory.store });
    const b = createLocalCertificateAuthority({ store: memory.store });
    const [ra, rb] = await Promise.all([a.provision("e1"), b.provision("e2")]);
    expect(ra.isOk() && rb.isOk()).toBe(true);
    expect((await a.rootCertificatePem())._unsafeUnwrap()).toBe(
      (await b.rootCertificatePem())._unsafeUnwrap(),
    );
    expect((await a.intermediateCertificatePem())._unsafeUnwrap()).toBe(
      (await b.intermediateCertificatePem())._unsafeUnwrap(),
    );
    expect(memory.calls.putIfAbsent).toBe(4); // both raced to create both levels
  });

  it("loads once for concurrent first uses in one instance", async () => {
    const memory = memoryStore();
    const ca = createLocalCertificateAuthority({ store: memory.store });
    const results = await Promise.all(Array.from({ length: 5 }, () => ca.issue(request())));
    expect(results.every((r) => r.isOk())).toBe(true);
    expect(memory.calls).toEqual({ get: 2, putIfAbsent: 2 });
  });

  it("answers a CaError while the store is down, and recovers", async () => {
    const memory = memoryStore();
    const ca = createLocalCertificateAuthority({ store: memory.store });
    memory.setDown(true);
    const failed = (await ca.provision("e1"))._unsafeUnwrapErr();
    expect(failed).toMatchObject({
      type: "caFailure",
      message: expect.stringMatching(/store failed: database is down/),
    });
    memory.setDown(false);
    expect((await ca.provision("e1")).isOk()).toBe(true);
  });

  it("answers a CaError for unusable stored material", async () => {
    const memory = memoryStore();
    memory.blobs.set(LOCAL_CA_ROOT, "not a PEM");
    const error = (
      await createLocalCertificateAuthority({ store: memory.store }).provision("e1")
    )._unsafeUnwrapErr();
    expect(error.message).toBe(
      'local CA: stored "local-ca/root" is unusable: it must hold a PRIVATE KEY and a CERTIFICATE PEM block',
    );

    // An intermediate from another root is refused rather than served in a broken chain.
    const other = memoryStore();
    await createLocalCertificateAuthority({ store: other.store }).provision("e1");
    const mixed = memoryStore();
    await createLocalCertificateAuthority({ store: mixed.store }).provision("e1");
    mixed.blobs.set(LOCAL_CA_INTERMEDIATE, other.blobs.get(LOCAL_CA_INTERMEDIATE)!);
    const mismatch = (
      await createLocalCertificateAuthority({ store: mixed.store }).provision("e1")
    )._unsafeUnwrapErr();
    expect(mismatch.message).toMatch(/not signed by the stored root CA/);
  });

  it("signs with ecdsa-with-SHA384 when created with P-384 keys", async () => {
    const ca = createLocalCertificateAuthority({ store: memoryStore().store, keyAlgorithm: "P-384" });
    const [leaf, intermediate] = certificates(
      (await ca.issue(request()))._unsafeUnwrap().chainPem,
    ) as X509Certificate[];
    expect(asn1(leaf!).signatureAlgorithm.algorithm).toBe("1.2.840.10045.4.3.3");
    expect(leaf!.verify(intermediate!.publicKey)).toBe(true);
  });
});

describe("local CA throughput (informational)", () => {
  it("prints leaf certificates issued per second", async () => {
    const ca = createLocalCertificateAuthority({ store: memoryStore().store });
    await ca.provision("e1");
    for (let i = 0; i < 50; i++) await ca.issue(request()); // warm up the JIT
    const rounds = 200;
    const start = performance.now();
    for (let i = 0; i < rounds; i++) (await ca.issue(request()))._unsafeUnwrap();
    const perSecond = Math.round(rounds / ((performance.now() - start) / 1000));
    console.log(`local CA: ${perSecond} leaf certificates/s (ECDSA P-256 key, 2 DNS names)`);
    expect(perSecond).toBeGreaterThan(0);
  });
});

describe("serial numbers (RFC 5280 §4.1.2.2)", () => {
  it("are positive, minimal DER integers of 16 octets whose hex is the stored serial", async () => {
    const { randomSerial } = await import("./x509-builder.js");
    for (let i = 0; i < 2000; i++) {
      const { bytes, hex } = randomSerial();
      expect(bytes.length).toBe(16);
      // 0x40..0x7f: high bit clear (positive), not zero (minimal).
      expect(bytes[0]).toBeGreaterThanOrEqual(0x40);
      expect(bytes[0]).toBeLessThan(0x80);
      expect(hex).toBe(Buffer.from(bytes).toString("hex"));
    }
  });
});
