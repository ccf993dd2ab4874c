import { createPublicKey, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { describe, expect, it } from "vitest";
import { type CsrKeyType, keyTypeLabel, parseCsr, spkiThumbprint } from "./csr.js";
import { pemBlocks } from "./pem.js";
import { createTestCsr } from "./test-csr.js";

const keys = {
  rsa2048: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey,
  p256: generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey,
  p384: generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey,
  p521: generateKeyPairSync("ec", { namedCurve: "P-521" }).privateKey,
  ed25519: generateKeyPairSync("ed25519").privateKey,
  ed448: generateKeyPairSync("ed448").privateKey,
};

const spkiOf = (key: KeyObject) =>
  new Uint8Array(createPublicKey(key).export({ type: "spki", format: "der" }));

function der(pem: string): Uint8Array {
  const block = pemBlocks(pem)[0];
  if (!block) throw new Error("no PEM block");
  return block.der;
}

/** Made with `openssl req` (OpenSSL 3.0): CSRs from another implementation than ours. */
const OPENSSL_RSA = `-----BEGIN CERTIFICATE REQUEST-----
MIICsTCCAZkCAQAwGjEYMBYGA1UEAwwPd3d3LmV4YW1wbGUuY29tMIIBIjANBgkq
hkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxFh70AxmhLvMHKsYF8Depweb7qp932Ae
7wCKL9q40D7icPwxMFsmm6AvPZ2fD8oWOFlzQf9ikV2FVPUl7OfNVeoyI4pNkX8I
ih6YWBqTFuNuzuh5EXDMH+wzQrH2ifl1CiYWb3m/4WUUQhzmGRq1bWJ1pTw5OaVs
przVyGzJY4suGB4epS5L2kP+7/CwtcyWYyqmmlFRa9xJiPi+bHqqPMdkPJojgybx
TmRvN+kzt3FM3k4wPh67Y0hdr41UOMD5AC1GEtu1CF+sQ10GcAd6+3eqKsKdnDx/
AhTIj5TNM9XHb8y+prek4lJUhZSG4JSC0S27YIhImZXBrSx8fQAE8QIDAQABoFIw
UAYJKoZIhvcNAQkOMUMwQTA/BgNVHREEODA2gg93d3cuZXhhbXBsZS5jb22CC2V4
YW1wbGUuY29thwTAAAIHhxAgAQ24AAAAAAAAAAAAAAABMA0GCSqGSIb3DQEBCwUA
A4IBAQCvQh7F2i8XEy58NBeyJwy9VyIQBRWf3q1GQLmM4zDhonPZz2lbmqWY4zgq
36jbMw9V9t6NSFLJHDM2CV/qm8V0GE2PN8goMBQQ/CMipm2Tn85nHViQaCk3r9FG
d8DJRqsD/FI8Mi+lC3hx5AGD75CTgO6dBxZFqofoPEq9DGnNaaIMLt7UwEYUIy2L
IMwYrIN3hvnh4d1xbMZIqpfqnjCsGsRPly8AK/dyrxisiP9RcPEEPfp/4P7ThGq7
0yCie6PaXt0Vkd8gGBHyFc87xJp1mRdC0L942ugzjf3tMOwBJTUEhTkiJvCiEuhI
2YQGPnHg33/AnWhSQziEBZp4shbv
-----END CERTIFICATE REQUEST-----`;

const OPENSSL_EC = `-----BEGIN CERTIFICATE REQUEST-----
MIIBIDCBxgIBADAqMRAwDgYDVQQKDAdFeGFtcGxlMRYwFAYDVQQDDA1hLmV4YW1w
bGUub3JnMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEd1cW9XaorcdsX3ZkIF17
MjgCBaKRKZanOc9gPlZhug4yKpK8jxEw04wQQXe6WOnMAl0EiSJjyX7HxlWuXgw/
K6A6MDgGCSqGSIb3DQEJDjErMCkwJwYDVR0RBCAwHoINYS5leGFtcGxlLm9yZ4EN
eEBleGFtcGxlLm9yZzAKBggqhkjOPQQDAgNJADBGAiEA2iaBvYCaDPEL4oqs86De
D0ncawozKf9C/zJvQO2omZcCIQDzRo602h6JUb13HTHy915VvTbTP1Vhwo22YrKZ
aacvmA==
-----END CERTIFICATE REQUEST-----`;

const OPENSSL_RSA_PSS = `-----BEGIN CERTIFICATE REQUEST-----
MIICwDCCAXQCAQAwGjEYMBYGA1UEAwwPcHNzLmV4YW1wbGUuY29tMIIBIjANBgkq
hkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxFh70AxmhLvMHKsYF8Depweb7qp932Ae
7wCKL9q40D7icPwxMFsmm6AvPZ2fD8oWOFlzQf9ikV2FVPUl7OfNVeoyI4pNkX8I
ih6YWBqTFuNuzuh5EXDMH+wzQrH2ifl1CiYWb3m/4WUUQhzmGRq1bWJ1pTw5OaVs
przVyGzJY4suGB4epS5L2kP+7/CwtcyWYyqmmlFRa9xJiPi+bHqqPMdkPJojgybx
TmRvN+kzt3FM3k4wPh67Y0hdr41UOMD5AC1GEtu1CF+sQ10GcAd6+3eqKsKdnDx/
AhTIj5TNM9XHb8y+prek4lJUhZSG4JSC0S27YIhImZXBrSx8fQAE8QIDAQABoC0w
KwYJKoZIhvcNAQkOMR4wHDAaBgNVHREEEzARgg9wc3MuZXhhbXBsZS5jb20wQQYJ
KoZIhvcNAQEKMDSgDzANBglghkgBZQMEAgEFAKEcMBoGCSqGSIb3DQEBCDANBglg
hkgBZQMEAgEFAKIDAgEgA4IBAQBOLOoK7m1qq36ATlbT2omE0dAeQre3Y2PURe2F
gMZDcKf8YVqusQZD45AYLm4xi+oX3yN1BI7c4ewbI6xQza1IRIkR7eF01zrZFNLK
AON8JI0oOs5Fv3HLzqtZ5UCMsHCf2yJQhoYn+3dPLe6KgR1ExJ5gQUBS4nwt6Xqx
9DxeLV8GmkXMt9U0R50hWdeEwwIzzKpHOHjiOjBSQU5cNaGwmfhys8rv7fH3RLYG
iE0DPCuCbB+ZeEMF+9uI/l1GlAN6Hen0RdGCJSOQAFWp5MqXSsM+jyG3DpXW4ZIL
Wy3MCpVmpqKnY1esr2n68xA6WvCjh0XjTGOaGQ3cuBIUfiTA
-----END CERTIFICATE REQUEST-----`;

async function errorMessage(bytes: Uint8Array): Promise<string> {
  const result = await parseCsr(bytes);
  if (result.isOk()) throw new Error("expected the CSR to be refused");
  expect(result.error.type).toBe("badCSR");
  return result.error.message;
}

/** Re-encodes a CSR with another signatureAlgorithm (the signature itself unchanged). */
function withSignatureAlgorithm(csr: Uint8Array, algorithm: AlgorithmIdentifier): Uint8Array {
  const request = AsnConvert.parse(csr, CertificationRequest);
  request.signatureAlgorithm = algorithm;
  return new Uint8Array(AsnConvert.serialize(request));
}

describe("parseCsr", () => {
  const cases: [string, KeyObject, CsrKeyType][] = [
    ["RSA 2048", keys.rsa2048, { kind: "RSA", modulusBits: 2048 }],
    ["ECDSA P-256", keys.p256, { kind: "EC", curve: "P-256" }],
    ["ECDSA P-384", keys.p384, { kind: "EC", curve: "P-384" }],
    ["ECDSA P-521", keys.p521, { kind: "EC", curve: "P-521" }],
    ["Ed25519", keys.ed25519, { kind: "Ed25519" }],
    ["Ed448", keys.ed448, { kind: "Ed448" }],
  ];

  it.each(cases)("reads and verifies a %s CSR", async (label, privateKey, keyType) => {
    const csr = createTestCsr({
      privateKey,
      commonName: "www.example.com",
      dnsNames: ["www.example.com", "Example.COM", "*.example.com"],
      ipAddresses: ["192.0.2.1", "2001:db8::10"],
    });
    const parsed = (await parseCsr(csr))._unsafeUnwrap();
    expect(parsed.keyType).toEqual(keyType);
    expect(keyTypeLabel(parsed.keyType)).toBe(label);
    expect(parsed.commonName).toBe("www.example.com");
    expect(parsed.dnsNames).toEqual(["www.example.com", "Example.COM", "*.example.com"]);
    expect(parsed.ipAddresses).toEqual(["192.0.2.1", "2001:db8::10"]);
    expect(parsed.otherSanCount).toBe(0);
    expect(parsed.requestsCa).toBe(false);
    expect(parsed.spkiDer).toEqual(spkiOf(privateKey));
    expect(parsed.publicKey.equals(createPublicKey(privateKey))).toBe(true);
  });

  it("reads a CSR without subject or extensions", async () => {
    const parsed = (await parseCsr(createTestCsr({ privateKey: keys.p256 })))._unsafeUnwrap();
    expect(parsed.commonName).toBeUndefined();
    expect(parsed.dnsNames).toEqual([]);
    expect(parsed.ipAddresses).toEqual([]);
  });

  it("verifies RSASSA-PSS signatures", async () => {
    const parsed = await parseCsr(
      createTestCsr({ privateKey: keys.rsa2048, dnsNames: ["pss.example"], rsaPss: true }),
    );
    expect(parsed._unsafeUnwrap().dnsNames).toEqual(["pss.example"]);
  });

  it("reads CSRs made by OpenSSL", async () => {
    const rsa = (await parseCsr(der(OPENSSL_RSA)))._unsafeUnwrap();
    expect(rsa.keyType).toEqual({ kind: "RSA", modulusBits: 2048 });
    expect(rsa.commonName).toBe("www.example.com");
    expect(rsa.dnsNames).toEqual(["www.example.com", "example.com"]);
    expect(rsa.ipAddresses).toEqual(["192.0.2.7", "2001:db8::1"]);

    const ec = (await parseCsr(der(OPENSSL_EC)))._unsafeUnwrap();
    expect(ec.keyType).toEqual({ kind: "EC", curve: "P-256" });
    expect(ec.commonName).toBe("a.example.org");
    expect(ec.dnsNames).toEqual(["a.example.org"]);
    expect(ec.otherSanCount).toBe(1); // the email SAN

    const pss = (await parseCsr(der(OPENSSL_RSA_PSS)))._unsafeUnwrap();
    expect(pss.dnsNames).toEqual(["pss.example.com"]);
    expect(spkiThumbprint(pss.spkiDer)).toBe(spkiThumbprint(rsa.spkiDer)); // same key in both
  });

  it("keeps the last of several commonNames and counts other SAN types", async () => {
    const csr = createTestCsr({
      privateKey: keys.p256,
      commonName: ["first.example", "last.example"],
      dnsNames: ["a.example"],
      emails: ["x@example.org", "y@example.org"],
    });
    const parsed = (await parseCsr(csr))._unsafeUnwrap();
    expect(parsed.commonName).toBe("last.example");
    expect(parsed.otherSanCount).toBe(2);
  });

  it("detects a basicConstraints cA:true request", async () => {
    const csr = createTestCsr({ privateKey: keys.p256, dnsNames: ["ca.example"], requestCa: true });
    expect((await parseCsr(csr))._unsafeUnwrap().requestsCa).toBe(true);
  });

  it("refuses a tampered signature", async () => {
    for (const key of [keys.rsa2048, keys.p256, keys.ed25519]) {
      const csr = createTestCsr({ privateKey: key, dnsNames: ["a.example"] });
      csr[csr.length - 1]! ^= 0x01;
      expect(await errorMessage(csr)).toBe("CSR signature does not verify");
    }
  });

  it("refuses a CSR whose signed content was changed", async () => {
    const csr = createTestCsr({ privateKey: keys.p256, dnsNames: ["aaaa.example"] });
    const at = Buffer.from(csr).indexOf("aaaa.example");
    csr[at] = "b".charCodeAt(0);
    expect(await errorMessage(csr)).toBe("CSR signature does not verify");
  });

  it("refuses SHA-1 and unknown signature algorithms, naming them", async () => {
    const csr = createTestCsr({ privateKey: keys.rsa2048, dnsNames: ["a.example"] });
    const sha1 = withSignatureAlgorithm(
      csr,
      new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.5", parameters: null }),
    );
    expect(await errorMessage(sha1)).toMatch(
      /sha1WithRSAEncryption \(1\.2\.840\.113549\.1\.1\.5\) is not accepted/,
    );
    const unknown = withSignatureAlgorithm(csr, new AlgorithmIdentifier({ algorithm: "1.2.3.4.5" }));
    expect(await errorMessage(unknown)).toMatch(/signature algorithm 1\.2\.3\.4\.5 is not supported/);
  });

  it("refuses a signature algorithm that does not fit the key", async () => {
    const csr = createTestCsr({ privateKey: keys.rsa2048, dnsNames: ["a.example"] });
    const ecdsa = withSignatureAlgorithm(csr, new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }));
    expect(await errorMessage(ecdsa)).toBe(
      "CSR signature algorithm ecdsa-with-SHA256 cannot be used with its RSA 2048 key",
    );
  });

  it("refuses garbage, truncated and bit-flipped input without throwing", async () => {
    expect(await errorMessage(new Uint8Array())).toBe("CSR is empty");
    expect(await errorMessage(new Uint8Array(70_000))).toMatch(/larger than/);
    expect(await errorMessage(Uint8Array.of(0x30, 0x80, 0, 0))).toBe(
      "CSR is not valid DER (PKCS#10, RFC 2986)",
    );
    for (let i = 0; i < 500; i++) await errorMessage(randomBytes(1 + (i % 300)));

    const csr = createTestCsr({ privateKey: keys.p256, commonName: "a.example", dnsNames: ["a.example"] });
    for (let length = 0; length < csr.length; length++) await errorMessage(csr.subarray(0, length));
    await errorMessage(Uint8Array.from([...csr, 0]));
    for (let i = 0; i < csr.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const flipped = Uint8Array.from(csr);
        flipped[i]! ^= mask;
        await errorMessage(flipped);
      }
    }
  });
});

describe("keyTypeLabel and spkiThumbprint", () => {
  it("labels every key type", () => {
    expect(keyTypeLabel({ kind: "EC", curve: "secp256k1" })).toBe("ECDSA secp256k1");
    expect(keyTypeLabel({ kind: "unknown", oid: "1.3.101.110" })).toBe("unknown key type (1.3.101.110)");
  });

  it("is base64url SHA-256 of the SPKI", () => {
    const spki = spkiOf(keys.p256);
    const thumbprint = spkiThumbprint(spki);
    expect(thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(spkiThumbprint(spkiOf(keys.p384))).not.toBe(thumbprint);
  });
});

describe("parseCsr throughput (informational)", () => {
  it("prints CSRs parsed and verified per second", async () => {
    for (const [label, key] of [
      ["ECDSA P-256", keys.p256],
      ["RSA 2048", keys.rsa2048],
    ] as const) {
      const csr = createTestCsr({
        privateKey: key,
        commonName: "www.example.com",
        dnsNames: ["www.example.com", "example.com"],
      });
      for (let i = 0; i < 100; i++) await parseCsr(csr); // warm up the JIT
      const rounds = 500;
      const start = performance.now();
      for (let i = 0; i < rounds; i++) await parseCsr(csr);
      const perSecond = Math.round(rounds / ((performance.now() - start) / 1000));
      console.log(`parseCsr ${label}: ${perSecond}/s`);
      expect(perSecond).toBeGreaterThan(0);
    }
  });
});
