import { createHash, timingSafeEqual } from "node:crypto";
import type { Request } from "express";

/**
 * What `authorize` answers: `true` lets the request through; `false` (no or wrong credentials)
 * is a 401; `"forbidden"` (known caller, not allowed this request) is a 403. Anything else is
 * treated as `false`, so a sloppy authorize function fails closed.
 */
export type AuthorizeResult = boolean | "forbidden";

/** Decides whether a request to the admin API may proceed; it sees method, path and headers. */
export type Authorize = (req: Request) => AuthorizeResult | Promise<AuthorizeResult>;

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * An `authorize` that accepts `Authorization: Bearer <token>` with this exact token. Both sides
 * are hashed first so the comparison is constant-time whatever the length of what was sent.
 *
 * @example
 * app.use("/admin", managementRouter(server, { authorize: bearerToken(process.env.ADMIN_TOKEN ?? "") }));
 */
export function bearerToken(token: string): Authorize {
  if (typeof token !== "string" || token.length < 16) {
    throw new TypeError(
      "bearerToken needs a secret token of at least 16 characters (e.g. 32 random bytes, hex).",
    );
  }
  const expected = digest(token);
  return (req) => {
    const presented = /^Bearer +(\S+) *$/i.exec(req.get("authorization") ?? "")?.[1];
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}
