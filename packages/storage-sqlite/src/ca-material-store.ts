import type { CaMaterialStore } from "@acme-endpoints/core";
import { ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";

export function createCaMaterialStore(connection: Connection, runner: Runner): CaMaterialStore {
  const find = (name: string): string | undefined => {
    const row = connection.statement("SELECT value FROM ca_materials WHERE name = ?").get(name);
    return row === undefined ? undefined : String(row.value);
  };

  return {
    get: (name) => runner.run("reading CA material", () => ok(find(name))),

    // Names are never deleted, so whatever is stored after the insert (ours, or another
    // process's that got there first) is the answer. Reading first keeps a read-only
    // database usable once its CA exists.
    putIfAbsent: (name, value) =>
      runner.run("storing CA material", () => {
        const existing = find(name);
        if (existing !== undefined) return ok(existing);
        connection
          .statement("INSERT INTO ca_materials (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")
          .run(name, value);
        return ok(find(name) ?? value);
      }),
  };
}
