import { createHash, timingSafeEqual } from "node:crypto";
import { type Authorize, bearerToken } from "@acme-endpoints/adapters-express";
import type { RequestHandler } from "express";

const COOKIE = "acme_endpoints_admin";
const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * How a browser gets into the example's dashboard: a page cannot send a Bearer header, so the
 * printed URL carries the admin token once (`/dashboard/?token=…`); the server answers with an
 * HttpOnly, SameSite=Strict cookie holding it and a redirect that drops it from the address bar.
 * Scripts may keep using `Authorization: Bearer`. A production host would put its own sign-in
 * in front instead.
 */
export function dashboardAccess(token: string): { login: RequestHandler; authorize: Authorize } {
  const bearer = bearerToken(token);
  const expected = digest(token);
  const matches = (presented: string | undefined) =>
    presented !== undefined && timingSafeEqual(digest(presented), expected);
  return {
    login: (req, res, next) => {
      const presented = typeof req.query.token === "string" ? req.query.token : undefined;
      if (!matches(presented)) return next();
      res.cookie(COOKIE, token, {
        httpOnly: true,
        secure: true,
        sameSite: "strict",
        path: req.baseUrl || "/",
      });
      res.redirect(303, `${req.baseUrl}/`);
    },
    authorize: (req) => bearer(req) === true || matches(cookieValue(req.get("cookie"))),
  };
}

function cookieValue(header: string | undefined): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === COOKIE) return value.join("=");
  }
  return undefined;
}
