export type { MemoryStorageOptions } from "./memory-storage.js";
export { createMemoryStorage, DEFAULT_MAX_NONCES } from "./memory-storage.js";
