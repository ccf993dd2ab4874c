import type { MetricBucket, MetricPeriod, MetricStore, StorageError } from "@acme-endpoints/core";
import { bucketStart, METRIC_PERIODS } from "@acme-endpoints/core";
import { err, ok } from "neverthrow";
import type { Journal } from "./journal.js";
import { OK_VOID, perform } from "./journal.js";

/** Bucket start (ms) → reason → count. */
type Buckets = Map<number, Map<string, number>>;

/**
 * Every series: `endpointId \n metric \n period` → its buckets. An increment finds the three
 * series of its endpoint and metric by those two strings (each held by the caller and hashed
 * once), not by making the three names anew.
 */
export class MetricSeries {
  readonly #byName = new Map<string, Buckets>();
  readonly #byEndpoint = new Map<string, Map<string, readonly Buckets[]>>();

  get(endpointId: string, metric: string, period: MetricPeriod): Buckets | undefined {
    return this.#byName.get(`${endpointId}\n${metric}\n${period}`);
  }

  /** The buckets of each of METRIC_PERIODS, in that order, made on first use. */
  periods(endpointId: string, metric: string): readonly Buckets[] {
    let metrics = this.#byEndpoint.get(endpointId);
    if (metrics === undefined) {
      metrics = new Map();
      this.#byEndpoint.set(endpointId, metrics);
    }
    let all = metrics.get(metric);
    if (all === undefined) {
      all = METRIC_PERIODS.map((period) => {
        const name = `${endpointId}\n${metric}\n${period}`;
        let buckets = this.#byName.get(name);
        if (buckets === undefined) {
          buckets = new Map();
          this.#byName.set(name, buckets);
        }
        return buckets;
      });
      metrics.set(metric, all);
    }
    return all;
  }
}

/**
 * The start (epoch ms) of the `period` bucket holding `at`: the number core's `bucketStart`
 * writes as ISO, without writing and parsing it back.
 */
function bucketStartMs(at: number, period: MetricPeriod): number {
  const ms = period * 1000;
  return Math.floor(at / ms) * ms;
}

function add(buckets: Buckets, start: number, reason: string, by: number): void {
  let reasons = buckets.get(start);
  if (reasons === undefined) {
    reasons = new Map();
    buckets.set(start, reasons);
  }
  const count = (reasons.get(reason) ?? 0) + by;
  if (count === 0) reasons.delete(reason);
  else reasons.set(reason, count);
}

/** Increments are synchronous, so all three buckets change in one turn of the event loop. */
export function createMetricStore(series: MetricSeries, journal: Journal): MetricStore {
  // Methods, not arrow-valued properties (see order-store.ts).
  return {
    increment({ endpointId, metric, reason, at, by = 1 }) {
      return perform(journal, () => {
        const problem = incrementProblem(at, by);
        if (problem !== undefined) return err(problem);
        const time = at.getTime();
        const periods = series.periods(endpointId, metric);
        for (let i = 0; i < METRIC_PERIODS.length; i++) {
          const buckets = periods[i] as Buckets;
          const start = bucketStartMs(time, METRIC_PERIODS[i] as MetricPeriod);
          add(buckets, start, reason, by);
          if (journal.keeps) journal.record(() => add(buckets, start, reason, -by));
        }
        return OK_VOID;
      });
    },

    list({ endpointId, metric, period, from, to }) {
      return perform(journal, () => {
        const buckets = series.get(endpointId, metric, period);
        if (buckets === undefined) return ok([]);
        const first = Date.parse(bucketStart(from, period));
        const end = to.getTime();
        const step = period * 1000;
        // Step through the range, or through the series, whichever is shorter.
        const starts =
          (end - first) / step <= buckets.size
            ? Array.from({ length: Math.max(0, Math.ceil((end - first) / step)) }, (_, i) => first + i * step)
            : [...buckets.keys()].filter((start) => start >= first && start < end).sort((a, b) => a - b);
        const answer: MetricBucket[] = [];
        for (const start of starts) {
          const reasons = buckets.get(start);
          if (reasons === undefined) continue;
          const iso = new Date(start).toISOString();
          for (const reason of [...reasons.keys()].sort()) {
            answer.push({ start: iso, reason, count: reasons.get(reason) as number });
          }
        }
        return ok(answer);
      });
    },
  };
}

function incrementProblem(at: Date, by: number): StorageError | undefined {
  if (!(at instanceof Date) || Number.isNaN(at.getTime()))
    return { type: "invalid", message: "`at` is not a valid date" };
  if (!Number.isSafeInteger(by) || by < 1)
    return { type: "invalid", message: `\`by\` must be a positive integer, not ${by}` };
  return undefined;
}
