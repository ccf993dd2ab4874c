import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "testing/index": "src/testing/index.ts",
    prometheus: "src/exporters/prometheus.ts",
    opentelemetry: "src/exporters/opentelemetry.ts",
  },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  external: ["vitest", "prom-client", "@opentelemetry/api"],
});
