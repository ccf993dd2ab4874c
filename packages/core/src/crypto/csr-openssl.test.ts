import { describe, expect, it } from "vitest";
import { parseCsr } from "./csr.js";

/*
 * CSRs made with `openssl req` (OpenSSL 3.0), DER in base64. The expected fields are what
 * parseCsr answered for them when it was built on the ASN.1 schema library, before the
 * strict DER walk replaced it.
 */
const der = (lines: string) => Uint8Array.from(Buffer.from(lines.replace(/\s/g, ""), "base64"));

/** -subj "/O=Ex/CN=a.example.org/CN=b.example.org", SAN DNS, IPv6, IPv4, email, URI. */
const SEVERAL_CNS = der(`
MIIBTjCB9AIBADA9MQswCQYDVQQKDAJFeDEWMBQGA1UEAwwNYS5leGFtcGxlLm9yZzEWMBQGA1UEAwwNYi5leGFtcGxlLm9yZzBZ
MBMGByqGSM49AgEGCCqGSM49AwEHA0IABP61oebPPImHhvS+52BOOLFZ9+G4Lf9TPgW+zskrRzG1wNYJwPundaBnoMg10LM7GP7E
30CGahvll23vSlXTvXCgVTBTBgkqhkiG9w0BCQ4xRjBEMEIGA1UdEQQ7MDmCDWEuZXhhbXBsZS5vcmeHECABDbgAAAAAAAAAAAAA
AAGHBAoAAAGBBXhAeS56hglodHRwczovL3gwCgYIKoZIzj0EAwIDSQAwRgIhANWfxGKVJgnwQ4TQITd8DgwlSQc8fbXlWOmrzZq/
bhXJAiEA5Y2gFoxB+/P2pvBj7NnhoDVPNiukArGZR9KKyrbNlJQ=`);

/** Ed25519, SAN, critical basicConstraints CA:TRUE. */
const ED25519_CA = der(`
MIHOMIGBAgEAMBUxEzARBgNVBAMMCmVkLmV4YW1wbGUwKjAFBgMrZXADIQBh4w33f0ZxgkP3kY7qLcd5xogJghG7B6O61CnyQ8gx
SKA5MDcGCSqGSIb3DQEJDjEqMCgwFQYDVR0RBA4wDIIKZWQuZXhhbXBsZTAPBgNVHRMBAf8EBTADAQH/MAUGAytlcANBAJ/8Jezy
puDMLlzMOKyUlyrmo2clqYw0T5HtkVaKEYjlzCK+fyGQ60yLrj66RU3wvyAQvuRDNQnPydNssHAH3AM=`);

/** A secp256k1 key: an EC curve outside the P-curves keeps OpenSSL's name. */
const SECP256K1 = der(`
MIH2MIGcAgEAMBUxEzARBgNVBAMMCmsxLmV4YW1wbGUwVjAQBgcqhkjOPQIBBgUrgQQACgNCAARC8TeZesAQZGvB+P4OWS/TX6u1
wJqpv8xrvSSaJddOBPSsUJOorqQkumbpKETBxHVmvPKqpksft/1y1ZfidGfAoCgwJgYJKoZIhvcNAQkOMRkwFzAVBgNVHREEDjAM
ggprMS5leGFtcGxlMAoGCCqGSM49BAMCA0kAMEYCIQDmgUkfqVPYY3vPaS9OO6QRrfohPkmqsvwzWK/nmQlcNAIhAOGrsTAB736i
Q846bKTVq1ouhFTyHSRinvikE5hK3T1u`);

/** -utf8 "/CN=Ünïcødé.example/OU=x", SAN ::1 and ::ffff:1.2.3.4. */
const UTF8_IPV6 = der(`
MIIBMDCB1wIBADAqMRwwGgYDVQQDDBPDnG7Dr2PDuGTDqS5leGFtcGxlMQowCAYDVQQLDAF4MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAE/rWh5s88iYeG9L7nYE44sVn34bgt/1M+Bb7OyStHMbXA1gnA+6d1oGegyDXQszsY/sTfQIZqG+WXbe9KVdO9cKBLMEkG
CSqGSIb3DQEJDjE8MDowOAYDVR0RBDEwL4IJdS5leGFtcGxlhxAAAAAAAAAAAAAAAAAAAAABhxAAAAAAAAAAAAAA//8BAgMEMAoG
CCqGSM49BAMCA0gAMEUCIQCchIWDeofGX1xes+J6x/FzwwPhyI9a0zOCt/5Z0mgOJwIgSki2xhlWO/HXtKbOrgfW1V4ZWWxtrew6
5rMMajKq/ow=`);

/** challengePassword and unstructuredName attributes before the extensionRequest. */
const CHALLENGE_PASSWORD = der(`
MIIBQTCB5wIBADAcMRowGAYDVQQDDBFjaGFsbGVuZ2UuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABP61oebPPImH
hvS+52BOOLFZ9+G4Lf9TPgW+zskrRzG1wNYJwPundaBnoMg10LM7GP7E30CGahvll23vSlXTvXCgaTAYBgkqhkiG9w0BCQcxCwwJ
c2VjcmV0MTIzMB4GCSqGSIb3DQEJAjERDA9teSB1bnN0cnVjdHVyZWQwLQYJKoZIhvcNAQkOMSAwHjAcBgNVHREEFTATghFjaGFs
bGVuZ2UuZXhhbXBsZTAKBggqhkjOPQQDAgNJADBGAiEA5cZFAZZdnxwwp6WeCRa4KEeLHcKUMbD7Ns3fCznmRYQCIQD2zANNbyK4
oWaajNubYen0onXXsyVviQTrYp+xw/gdgg==`);

/** RSASSA-PSS with MGF1-SHA-1 (rsa_mgf1_md:sha1), an empty attributes field. */
const PSS_MGF1_SHA1 = der(`
MIICczCCAUQCAQAwFzEVMBMGA1UEAwwMcHNzMy5leGFtcGxlMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA23VfauZJ
CNqtiW2qC+tUXyootxCdgTyVmg+j/op0hO/tFZqt2oHFY2iFu3LOGS9N3qzWhjbbrDlW1ZYSR9kVBEwSQj+tzVRkl4YdWUgn1Apl
lnssgvYqrjnGdr04xqMDOiFeplj/1U9ZcImWw9wE3MVQZsfDVnTR+xSS4IM6MYzKTr2a5gKBKIufzvAraouEOKQsGNzArNgQvtAv
3h9maz02IgcU6psXOVPToQRJw+rY1oU1TjtOii1h0LD5oVM7diqPQH+FFiXcSLhnZlED+rMox+t3i0iIqtXsLHusdk2QRVweHeJb
cH4Smv2XB9C3fbAFNaS53XVsrYcw8X5uQQIDAQABoAAwJAYJKoZIhvcNAQEKMBegDzANBglghkgBZQMEAgEFAKIEAgIA3gOCAQEA
G48QK2KLpuoCz7h8ZZXa9FpyQeiTpt4WgBA5n56zHRXDfWh04UDoDOq5JweioPqE34h0xMXeoF4aU9op5j//j/5dX01RhKohJ0Bk
yhhpeUcDokJViwwX8pBnfVGVIzBdAcxQA9EFxTc3OBHgGL3E2k1bTREXbYwRBFrYHJirMG3pOmY96xmKhVltPsRNJidhNaNWuNGR
R8lJSUcXyZF8dzYJ2cU+sKiSGyklHhg1A+Hm/SfNtqOJlUOLJENCM6/np/Px9iHIcpECDL+mXR44tsECh1ZN5OdAEb01qjRJao9z
A5/QoSHtG1VNdF1FqPKYAACcw2NSnyHytdOGy8pDfg==`);

async function fields(csr: Uint8Array) {
  const { publicKey, spkiDer, ...rest } = (await parseCsr(csr))._unsafeUnwrap();
  expect(spkiDer).toEqual(new Uint8Array(publicKey.export({ type: "spki", format: "der" })));
  return rest;
}

describe("parseCsr on OpenSSL requests", () => {
  it("reads several commonNames and every SAN type", async () => {
    expect(await fields(SEVERAL_CNS)).toEqual({
      keyType: { kind: "EC", curve: "P-256" },
      commonNames: ["a.example.org", "b.example.org"],
      commonName: "b.example.org",
      dnsNames: ["a.example.org"],
      ipAddresses: ["2001:db8::1", "10.0.0.1"],
      otherSanCount: 2,
      requestsCa: false,
    });
  });

  it("reads an Ed25519 request for a CA certificate", async () => {
    expect(await fields(ED25519_CA)).toMatchObject({
      keyType: { kind: "Ed25519" },
      commonNames: ["ed.example"],
      dnsNames: ["ed.example"],
      requestsCa: true,
    });
  });

  it("names a curve outside the P-curves as OpenSSL does", async () => {
    expect((await fields(SECP256K1)).keyType).toEqual({ kind: "EC", curve: "secp256k1" });
  });

  it("reads a UTF-8 commonName and IPv6 SANs in RFC 5952 form", async () => {
    expect(await fields(UTF8_IPV6)).toMatchObject({
      commonNames: ["Ünïcødé.example"],
      dnsNames: ["u.example"],
      ipAddresses: ["::1", "::ffff:102:304"],
    });
  });

  it("skips attributes other than extensionRequest", async () => {
    expect(await fields(CHALLENGE_PASSWORD)).toMatchObject({
      commonNames: ["challenge.example"],
      dnsNames: ["challenge.example"],
    });
  });

  it("refuses RSASSA-PSS whose MGF1 hash is not the message hash", async () => {
    expect((await parseCsr(PSS_MGF1_SHA1))._unsafeUnwrapErr().message).toBe(
      "CSR RSASSA-PSS parameters are missing or malformed, or use SHA-1 (RFC 4055 §3.1)",
    );
  });
});
