import type { MetricBucket, MetricStore } from "@acme-endpoints/core";
import { bucketStart, METRIC_PERIODS } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Connection, Runner } from "./connection.js";

/** One upsert statement for the three buckets: atomic, and exact under concurrent increments. */
export function createMetricStore(connection: Connection, runner: Runner): MetricStore {
  return {
    increment: ({ endpointId, metric, reason, at, by = 1 }) =>
      runner.run(`counting ${metric}`, () => {
        if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
          return err({ type: "invalid", message: "`at` is not a valid date" });
        }
        if (!Number.isSafeInteger(by) || by < 1) {
          return err({ type: "invalid", message: `\`by\` must be a positive integer, not ${by}` });
        }
        connection
          .statement(
            `INSERT INTO metric_buckets (endpoint_id, metric, period, start, reason, count)
             VALUES ${METRIC_PERIODS.map(() => "(?, ?, ?, ?, ?, ?)").join(", ")}
             ON CONFLICT (endpoint_id, metric, period, start, reason) DO UPDATE SET count = count + excluded.count`,
          )
          .run(
            ...METRIC_PERIODS.flatMap((period) => [
              endpointId,
              metric,
              period,
              bucketStart(at, period),
              reason,
              by,
            ]),
          );
        return ok(undefined);
      }),

    list: ({ endpointId, metric, period, from, to }) =>
      runner.run(`reading ${metric}`, () => {
        const rows = connection
          .statement(
            `SELECT start, reason, count FROM metric_buckets
              WHERE endpoint_id = ? AND metric = ? AND period = ? AND start >= ? AND start < ?
              ORDER BY start, reason`,
          )
          .all(endpointId, metric, period, bucketStart(from, period), to.toISOString());
        return ok(
          rows.map((row) => ({ start: row.start, reason: row.reason, count: row.count }) as MetricBucket),
        );
      }),
  };
}
