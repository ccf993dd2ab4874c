import { err, ok, type Result, type ResultAsync, safeTry } from "neverthrow";
import type { Deps } from "../context.js";
import { bucketStart, type IssuanceMetric, METRIC_PERIODS, type MetricPeriod } from "../ports/storage.js";
import { fromStorage, type ManagementError, validationError } from "./errors.js";
import { load } from "./load.js";
import { isRecord, knownFields, oneOf } from "./validate.js";

export interface GetMetricInput {
  readonly endpointId: string;
  readonly metric: IssuanceMetric;
  /** ISO 8601 (or a Date); rounded down to the period. Default: `period` × 60 before `to`. */
  readonly from?: string | Date;
  /** ISO 8601 (or a Date), exclusive. Default: now. */
  readonly to?: string | Date;
  /** Seconds per data point: 60, 3600 or 86400. Default 3600. */
  readonly period?: MetricPeriod;
}

export interface MetricDatapoint {
  /** ISO 8601 start of the bucket. */
  readonly start: string;
  readonly count: number;
  /** Failures by reason (`IssuanceFailureReason`); empty for successes. */
  readonly byReason: Readonly<Record<string, number>>;
}

export interface MetricSeries {
  readonly endpointId: string;
  readonly metric: IssuanceMetric;
  readonly period: MetricPeriod;
  readonly from: string;
  readonly to: string;
  /** Every bucket of the range, oldest first, zeros included: ready to draw. */
  readonly datapoints: readonly MetricDatapoint[];
  readonly total: number;
}

/** The seed's Monitoring tab: issuance metrics of an endpoint over time. */
export interface MetricsApi {
  get(input: GetMetricInput): ResultAsync<MetricSeries, ManagementError>;
}

export const ISSUANCE_METRICS: readonly IssuanceMetric[] = [
  "CertificateIssuanceSuccess",
  "CertificateIssuanceFailed",
];

/** A graph has at most this many points; ask for a longer period instead. */
export const MAX_DATAPOINTS = 1500;

export function metricsApi(deps: Deps): MetricsApi {
  return {
    get: (input) =>
      safeTry(async function* () {
        const query = yield* validateQuery(input, deps.clock.now());
        const endpoint = yield* load(deps, query.endpointId);
        const buckets = yield* deps.storage.metrics
          .list({ ...query, endpointId: endpoint.id })
          .mapErr(fromStorage("reading metrics"));
        const step = query.period * 1000;
        const first = Date.parse(bucketStart(query.from, query.period));
        const points = new Map<number, { count: number; byReason: Record<string, number> }>();
        for (let start = first; start < query.to.getTime(); start += step)
          points.set(start, { count: 0, byReason: {} });
        let total = 0;
        for (const bucket of buckets) {
          const point = points.get(Date.parse(bucket.start));
          if (point === undefined) continue;
          point.count += bucket.count;
          total += bucket.count;
          if (bucket.reason !== "")
            point.byReason[bucket.reason] = (point.byReason[bucket.reason] ?? 0) + bucket.count;
        }
        return ok({
          endpointId: endpoint.id,
          metric: query.metric,
          period: query.period,
          from: new Date(first).toISOString(),
          to: query.to.toISOString(),
          datapoints: [...points].map(([start, point]) => ({
            start: new Date(start).toISOString(),
            ...point,
          })),
          total,
        });
      }),
  };
}

interface Query {
  readonly endpointId: string;
  readonly metric: IssuanceMetric;
  readonly period: MetricPeriod;
  readonly from: Date;
  readonly to: Date;
}

function validateQuery(input: unknown, now: Date): Result<Query, ManagementError> {
  if (!isRecord(input)) return err(validationError("input", "The input must be an object."));
  return knownFields(input, ["endpointId", "metric", "from", "to", "period"]).andThen(() => {
    if (typeof input.endpointId !== "string")
      return err(validationError("endpointId", "endpointId must be a string."));
    const endpointId = input.endpointId;
    return oneOf("metric", input.metric, ISSUANCE_METRICS).andThen((metric) => {
      const period = (input.period ?? 3600) as MetricPeriod;
      if (!METRIC_PERIODS.includes(period)) {
        return err(
          validationError("period", `period must be one of ${METRIC_PERIODS.join(", ")} (seconds).`),
        );
      }
      return instant("to", input.to, now).andThen((to) =>
        instant("from", input.from, new Date(to.getTime() - 60 * period * 1000)).andThen((from) => {
          if (from.getTime() >= to.getTime()) return err(validationError("from", "from must be before to."));
          const points = Math.ceil((to.getTime() - Date.parse(bucketStart(from, period))) / (period * 1000));
          if (points > MAX_DATAPOINTS) {
            return err(
              validationError(
                "period",
                `That range has ${points} points of ${period} s; at most ${MAX_DATAPOINTS}: ask for a longer period.`,
              ),
            );
          }
          return ok({ endpointId, metric, period, from, to });
        }),
      );
    });
  });
}

function instant(field: string, value: unknown, fallback: Date): Result<Date, ManagementError> {
  if (value === undefined) return ok(fallback);
  const time =
    value instanceof Date ? value.getTime() : typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time)
    ? err(validationError(field, `${field} must be an ISO 8601 date-time; got ${JSON.stringify(value)}.`))
    : ok(new Date(time));
}
