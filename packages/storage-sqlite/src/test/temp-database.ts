import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh directory for database files, and its removal. */
export function tempDirectory(prefix = "acme-sqlite-"): {
  dir: string;
  file: (name?: string) => string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name = "acme.sqlite") => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
