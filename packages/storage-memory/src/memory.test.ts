import { describeStorageConformance } from "@acme-endpoints/core/testing";
import { createMemoryStorage } from "./index.js";

describeStorageConformance("memory", { create: () => createMemoryStorage() });
