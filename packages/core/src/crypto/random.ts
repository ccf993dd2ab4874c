import { Buffer } from "node:buffer";
import { randomFillSync } from "node:crypto";

/*
 * CSPRNG octets from a pool refilled 4 KiB at a time, as crypto.randomUUID does: every ACME
 * response needs a nonce and every new order several ids, and one randomBytes call per value
 * costs ~10× its share of a 4 KiB fill. Each octet is handed out once and zeroed in the pool.
 */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

function take(count: number): number {
  if (count > POOL_SIZE) throw new RangeError(`at most ${POOL_SIZE} random octets at a time`);
  if (offset + count > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const start = offset;
  offset += count;
  return start;
}

/** `count` fresh random octets in a new array. */
export function randomOctets(count: number): Uint8Array {
  const start = take(count);
  // Copied and zeroed octet by octet: for the few octets asked (serials, 16) half the cost of
  // a subarray view, its copy and a fill.
  const octets = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    octets[i] = pool[start + i] as number;
    pool[start + i] = 0;
  }
  return octets;
}

/** `count` fresh random octets as base64url text (no padding, RFC 4648 §5). */
export function randomBase64url(count: number): string {
  const start = take(count);
  const text = pool.toString("base64url", start, start + count);
  pool.fill(0, start, start + count);
  return text;
}
