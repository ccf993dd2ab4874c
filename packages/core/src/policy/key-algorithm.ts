import { err, ok, type Result } from "neverthrow";
import type { CsrKeyType } from "../crypto/csr.js";
import { keyTypeLabel } from "../crypto/csr.js";
import type { KeyAlgorithm } from "../domain/types.js";
import { type AcmeProblem, problem } from "../problems.js";

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ["RSA_2048", "EC_prime256v1", "EC_secp384r1"];

const LABELS: Record<KeyAlgorithm, string> = {
  RSA_2048: "RSA 2048",
  EC_prime256v1: "ECDSA P-256",
  EC_secp384r1: "ECDSA P-384",
};

/** The seed's key algorithm name of a CSR key, when it is one of them. */
export function keyAlgorithmOf(keyType: CsrKeyType): KeyAlgorithm | undefined {
  if (keyType.kind === "RSA") return keyType.modulusBits === 2048 ? "RSA_2048" : undefined;
  if (keyType.kind === "EC") {
    if (keyType.curve === "P-256") return "EC_prime256v1";
    if (keyType.curve === "P-384") return "EC_secp384r1";
  }
  return undefined;
}

/**
 * Seed, AllowedKeyAlgorithms: a CSR whose public key is not one of the endpoint's allowed
 * algorithms is rejected (badCSR, naming the key found and the ones allowed); unset or empty
 * means no enforcement of the list, but RSA keys still need 2048 to 8192 bits.
 */
export function checkKeyAlgorithm(
  keyType: CsrKeyType,
  allowed: readonly KeyAlgorithm[] | undefined,
): Result<void, AcmeProblem> {
  if (allowed === undefined || allowed.length === 0) {
    // A floor no endpoint setting lifts (CA/Browser Forum BR §6.1.5): the same one account keys have.
    if (keyType.kind === "RSA" && (keyType.modulusBits < 2048 || keyType.modulusBits > 8192)) {
      return err(
        problem(
          "badCSR",
          `The CSR's key is RSA ${keyType.modulusBits}; RSA certificate keys must be 2048 to 8192 bits.`,
        ),
      );
    }
    return ok(undefined);
  }
  const algorithm = keyAlgorithmOf(keyType);
  if (algorithm !== undefined && allowed.includes(algorithm)) return ok(undefined);
  return err(
    problem(
      "badCSR",
      `The CSR's key is ${keyTypeLabel(keyType)}; this endpoint only issues for ${allowed
        .map((a) => `${LABELS[a]} (${a})`)
        .join(", ")}. Generate the key with one of those.`,
    ),
  );
}
