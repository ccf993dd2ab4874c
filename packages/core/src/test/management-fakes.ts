import { errAsync, type ResultAsync } from "neverthrow";
import type { DnsValidationRecord } from "../domain/types.js";
import type { Clock } from "../ports/clock.js";
import { createStaticDnsResolver, type DnsError, type DnsResolver } from "../ports/dns.js";
import type { Logger } from "../ports/logger.js";

/** A clock that moves only when told to. */
export function fakeClock(start = Date.now()): Clock & { advance(ms: number): void } {
  let time = start;
  return {
    now: () => new Date(time),
    advance: (ms) => {
      time += ms;
    },
  };
}

/** A DNS zone for tests: publish records, take them away, make names go unanswered. */
export function fakeDns() {
  const zone = createStaticDnsResolver();
  const unanswered = new Set<string>();
  const lookups: string[] = [];
  const lookup = <T>(name: string, answer: () => ResultAsync<T, DnsError>): ResultAsync<T, DnsError> => {
    lookups.push(name);
    return unanswered.has(name)
      ? errAsync({
          type: "dnsFailure",
          message: `DNS lookup of ${name} failed (ESERVFAIL)`,
          code: "ESERVFAIL",
        })
      : answer();
  };
  const resolver: DnsResolver = {
    resolveCname: (name) => lookup(name, () => zone.resolveCname(name)),
    resolveTxt: (name) => lookup(name, () => zone.resolveTxt(name)),
  };
  const named = (record: DnsValidationRecord | undefined) => {
    if (record === undefined) throw new Error("the domain has no validation record");
    return record;
  };
  return {
    resolver,
    lookups,
    /** Publishes the record, or another value at its name. */
    publish(record: DnsValidationRecord | undefined, value = named(record).value) {
      zone.set(named(record).type, named(record).name, [value]);
    },
    remove(record: DnsValidationRecord | undefined) {
      zone.delete(named(record).name);
    },
    /** Lookups of the record's name get no answer (SERVFAIL) until `answer` is called. */
    failing(record: DnsValidationRecord | undefined) {
      unanswered.add(named(record).name);
    },
    answer(record: DnsValidationRecord | undefined) {
      unanswered.delete(named(record).name);
    },
  };
}

/** A logger that keeps what it was told, for tests that check an operator is warned. */
export function recordingLogger(): Logger & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message) => warnings.push(message), error: () => {} };
}
