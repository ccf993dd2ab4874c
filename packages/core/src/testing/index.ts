/**
 * Test helpers for drivers and hosts of @acme-endpoints/core: the storage conformance suite every
 * storage driver runs, and builders of valid records. Needs vitest (an optional peer dependency).
 */

export type { TestCsrOptions } from "../crypto/test-csr.js";
export { createTestCsr } from "../crypto/test-csr.js";
export type {
  AcmeResponse,
  Directory,
  FetchLike,
  IssuedForTest,
  SignOptions,
  TestKeyType,
} from "./acme-client.js";
export {
  algorithmFor,
  expectStatus,
  generateTestKey,
  publicJwk,
  signExternalAccountBinding,
  signJws,
  TestAcmeClient,
} from "./acme-client.js";
export {
  makeAccount,
  makeAuthorization,
  makeCertificate,
  makeDomainValidation,
  makeEndpoint,
  makeExternalAccountKey,
  makeOrder,
} from "./fixtures.js";
export type { StorageConformanceOptions } from "./storage-conformance.js";
export { describeStorageConformance } from "./storage-conformance.js";
export type { TestServer, TestServerOptions } from "./test-server.js";
export { createTestServer } from "./test-server.js";
