/*
 * Date.prototype.toISOString is a C++ builtin costing ~0.55 µs a call; an issuance formats
 * about ten timestamps (order and authorization expiry, createdAt, processingSince, the
 * certificate's validity, event times) in a handful of minutes: now, a minute ago, now plus
 * each lifetime. The text up to the minute ("YYYY-MM-DDTHH:MM:") is kept for the last few
 * minutes formatted and only seconds and milliseconds are appended (~0.05 µs). UTC minutes are
 * whole multiples of 60 000 ms of the epoch (ECMAScript time has no leap seconds), so a
 * minute's prefix is exact for any time in it.
 */

/** Minutes cached: more than the distinct minutes one issuance formats, so they stay. */
const SLOTS = 8;
/** Start (ms since the epoch) of each cached minute; NaN while the slot is empty. */
const minutes: number[] = new Array<number>(SLOTS).fill(Number.NaN);
/** "YYYY-MM-DDTHH:MM:" of the minute in the same slot. */
const prefixes: string[] = new Array<string>(SLOTS).fill("");
/** The slot the next minute not cached replaces (round robin). */
let next = 0;

function prefixOf(minute: number): string {
  for (let i = 0; i < SLOTS; i++) if (minutes[i] === minute) return prefixes[i] as string;
  const prefix = new Date(minute).toISOString().slice(0, 17);
  minutes[next] = minute;
  prefixes[next] = prefix;
  next = (next + 1) % SLOTS;
  return prefix;
}

/** The last millisecond with a four-digit year (9999-12-31T23:59:59.999Z); later ones format as ±YYYYYY. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;

/** Exactly `date.toISOString()` (RFC 3339 / ECMA-262 §21.4.4.36), throwing the same RangeError for an invalid date. */
export function isoString(date: Date): string {
  const ms = date.getTime();
  // Years before 1970 or past 9999, and invalid dates, are left to the builtin (its format or its throw).
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS)) return date.toISOString();
  const inMinute = ms % 60_000;
  const prefix = prefixOf(ms - inMinute);
  const seconds = (inMinute / 1000) | 0;
  const millis = inMinute - seconds * 1000;
  return (
    prefix +
    (seconds < 10 ? `0${seconds}` : `${seconds}`) +
    (millis < 10 ? `.00${millis}Z` : millis < 100 ? `.0${millis}Z` : `.${millis}Z`)
  );
}
