import { describeStorageConformance } from "@acme-endpoints/core/testing";
import { afterAll } from "vitest";
import { createSqliteStorage } from "./index.js";
import { tempDirectory } from "./test/temp-database.js";

// A real file in WAL mode (what servers use), a new one for each test.
const temp = tempDirectory();
let count = 0;
afterAll(() => temp.remove());

describeStorageConformance("sqlite", {
  create: () => {
    const opened = createSqliteStorage({ filename: temp.file(`conformance-${++count}.sqlite`) });
    if (opened.isErr()) throw new Error(opened.error.message);
    return opened.value;
  },
});
