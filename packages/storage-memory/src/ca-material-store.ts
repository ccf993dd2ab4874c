import type { CaMaterialStore } from "@acme-endpoints/core";
import { ok } from "neverthrow";
import type { Journal } from "./journal.js";
import { found, perform } from "./journal.js";
import type { MemoryState } from "./state.js";

export function createCaMaterialStore(state: MemoryState, journal: Journal): CaMaterialStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    get(name) {
      return found(journal, state.caMaterials.get(name));
    },

    putIfAbsent(name, value) {
      return perform(journal, () => {
        const existing = state.caMaterials.get(name);
        if (existing !== undefined) return ok(existing);
        state.caMaterials.set(name, value);
        journal.record(() => state.caMaterials.delete(name));
        return ok(value);
      });
    },
  };
}
